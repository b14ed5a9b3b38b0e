"""Forms of the accounts pages. They only shape input; every rule is checked by the services."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuyende.accounts.models import User
from chuyende.accounts.permissions import assignable_roles, scope_root
from chuyende.core.forms import ScopedModelChoiceField
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import subtree


def apply_service_errors(
    form: forms.BaseForm, error: ValidationError, renames: dict[str, str] | None = None
) -> None:
    """A service's ValidationError on the form: on the named field (renamed by `renames`) if there is one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = (renames or {}).get(name, name)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class LoginForm(AuthenticationForm):
    """Django's login form, telling a deactivated user (with the right password) why they cannot enter."""

    def get_invalid_login_error(self) -> ValidationError:
        if getattr(self.request, "axes_locked_out", False):
            return super().get_invalid_login_error()  # a locked login name tells nothing more
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        user = User.objects.filter(username=username, is_active=False).first()
        if user is not None and user.check_password(password):
            return ValidationError(
                _("This account has been deactivated. Ask an administrator of your unit."), code="inactive"
            )
        return super().get_invalid_login_error()


class NewPasswordFields(forms.Form):
    """A new password typed twice; the rules are checked by the service."""

    new_password = forms.CharField(
        label=_("New password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    new_password2 = forms.CharField(
        label=_("New password (again)"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("new_password"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords differ."))
        return data


class PasswordChangeForm(NewPasswordFields):
    current_password = forms.CharField(
        label=_("Current password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    field_order = ["current_password", "new_password", "new_password2"]


class FirstRunForm(NewPasswordFields):
    levels = forms.CharField(
        label=_("Levels of the tree"), max_length=1000, initial="Tỉnh, Xã, Chi bộ",
        help_text=_("Their names from the top, separated by commas, e.g. Tỉnh, Xã, Chi bộ."),
    )
    root_code = forms.CharField(label=_("Code of the top unit"), max_length=64,
                                help_text=_("Short and unique, for example BN."))
    root_name = forms.CharField(label=_("Name of the top unit"), max_length=255)
    root_kind = forms.ChoiceField(label=_("Kind of the top unit"), choices=Unit.Kind.choices,
                                  initial=Unit.Kind.PARTY_COMMITTEE)
    admin_username = forms.CharField(label=_("Administrator's login name"), max_length=150)
    admin_full_name = forms.CharField(label=_("Administrator's full name"), max_length=300)
    admin_email = forms.EmailField(label=_("Administrator's email"), required=False)
    field_order = ["levels", "root_code", "root_name", "root_kind", "admin_username", "admin_full_name",
                   "admin_email", "new_password", "new_password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password"].label = _("Administrator's password")
        self.fields["new_password2"].label = _("Administrator's password (again)")

    # The services' field names, as this form calls them.
    SERVICE_FIELDS = {
        "code": "root_code", "name": "root_name", "kind": "root_kind", "username": "admin_username",
        "password": "new_password", "first_name": "admin_full_name", "last_name": "admin_full_name",
        "email": "admin_email",
    }


class UserFilterForm(forms.Form):
    ACTIVE_CHOICES = [
        ("", _("Active and deactivated")), ("1", pgettext_lazy("account", "Active")), ("0", _("Deactivated")),
    ]

    q = forms.CharField(
        label=_("Search"), required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Login name, name or email")}),
    )
    unit = ScopedModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False,
                                  empty_label=_("All units"))
    role = forms.ChoiceField(label=_("Role"), required=False,
                             choices=[("", _("All roles")), *User.Role.choices])
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_units(self.fields["unit"], scope_root(actor))

    def active_value(self) -> bool | None:
        wanted = self.cleaned_data.get("active")
        return None if not wanted else wanted == "1"


def _set_units(field: forms.Field, root: Unit) -> None:
    """The units of the root's subtree, indented by their depth below it."""
    assert isinstance(field, ScopedModelChoiceField)
    field.queryset = subtree(root=root).order_by("path")
    field.label_from_instance = lambda unit: f"{'— ' * (unit.depth - root.depth)}{unit.name}"  # type: ignore[method-assign,assignment]


class UserForm(forms.Form):
    """Edit: name, e-mail, role (only those the actor may give) and unit (of the actor's subtree)."""

    full_name = forms.CharField(label=_("Full name"), max_length=300)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    unit = ScopedModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_units(self.fields["unit"], scope_root(actor))
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        allowed = assignable_roles(actor)
        role.choices = [(value, label) for value, label in User.Role.choices if value in allowed]


class UserCreateForm(UserForm):
    username = forms.CharField(label=_("Login name"), max_length=150,
                               help_text=_("Letters, digits and @ . + - _ only, for example hoabinh.canbo."))
    field_order = ["username", "full_name", "email", "role", "unit"]


class LevelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
