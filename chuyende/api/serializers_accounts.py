"""Serializers of the accounts API: users of the caller's subtree, level names and the caller's password.

They only check types and the scope of ids; the viewsets hand `validated_data` to the accounts and
organisation services.
"""

from rest_framework import serializers

from chuyende.accounts.models import User
from chuyende.api.base import StrictSerializer, enum_field
from chuyende.api.serializers_core import unit_field
from chuyende.organisation.models import Level


def role_field(**kwargs: object) -> serializers.ChoiceField:
    return enum_field(User.Role.choices, "UserRoleEnum", **kwargs)


class UserSerializer(serializers.ModelSerializer[User]):
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    role = role_field(read_only=True)

    class Meta:
        model = User
        fields: tuple[str, ...] = ("id", "username", "full_name", "email", "role", "unit", "is_active",
                                   "must_change_password", "last_login", "date_joined")
        read_only_fields: tuple[str, ...] = fields


class UserWriteSerializer(StrictSerializer):
    """A user's name, e-mail, role (never above the caller's) and unit (in the caller's subtree). On update
    (PATCH) the fields left out keep their values."""

    full_name = serializers.CharField(max_length=300)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    role = role_field()
    unit = unit_field(help_text="Id of the user's unit, in the caller's subtree.")


class UserCreateSerializer(UserWriteSerializer):
    username = serializers.CharField(max_length=150)


class UserCreatedSerializer(UserSerializer):
    """The new user and their one-time password, given only in this answer."""

    temporary_password = serializers.CharField(read_only=True)

    class Meta(UserSerializer.Meta):
        fields = (*UserSerializer.Meta.fields, "temporary_password")
        read_only_fields = fields


class TemporaryPasswordSerializer(serializers.Serializer):
    temporary_password = serializers.CharField(
        read_only=True, help_text="Give it to the user: shown only in this answer; changed at the next login."
    )


class LevelSerializer(serializers.ModelSerializer[Level]):
    class Meta:
        model = Level
        fields = ("id", "depth", "name")
        read_only_fields = fields


class LevelWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)


class PasswordChangeSerializer(StrictSerializer):
    current_password = serializers.CharField(trim_whitespace=False)
    new_password = serializers.CharField(trim_whitespace=False)


class DoneSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
