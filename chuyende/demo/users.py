"""Demo logins for the Hòa An scenario: one per role and level of the tree."""

from dataclasses import dataclass

from chuyende.accounts.models import User
from chuyende.accounts.services import user_create
from chuyende.organisation.models import Unit

DEMO_PASSWORD = "hoaan2024"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    unit_code: str
    role: str
    full_name: str


DEMO_LOGINS = (
    DemoLogin("tinh.quantri", "BN", User.Role.ADMIN, "Nguyễn Văn Quản"),
    DemoLogin("huyen.canbo", "BN.HA", User.Role.OFFICER, "Phan Văn Khải"),
    DemoLogin("huyen.xem", "BN.HA", User.Role.VIEWER, "Trần Văn Hùng"),
    DemoLogin("hoabinh.canbo", "BN.HA.HB", User.Role.OFFICER, "Đinh Văn Tú"),
    DemoLogin("hoabinh.baocao", "BN.HA.HB", User.Role.REPORTER, "Lò Văn Sơn"),
    DemoLogin("hoaphu.canbo", "BN.HA.HP", User.Role.OFFICER, "Hà Thị Hoa"),
    DemoLogin("hoaphu.xem", "BN.HA.HP", User.Role.VIEWER, "Vi Văn Minh"),
    DemoLogin("thondong.baocao", "BN.HA.HB.DONG", User.Role.REPORTER, "Lò Ngọc Nga"),
    # Units of the 2025 restructuring, when it is loaded.
    DemoLogin("hoabinhphu.canbo", "BN.HBP", User.Role.OFFICER, "Lưu Thị Bình"),
)


def demo_users_create() -> list[User]:
    units = {u.code: u for u in Unit.objects.filter(code__in=[d.unit_code for d in DEMO_LOGINS])}
    return [
        user_create(actor=None, username=d.username, password=DEMO_PASSWORD, unit=units[d.unit_code],
                    role=d.role, full_name=d.full_name)
        for d in DEMO_LOGINS
        if d.unit_code in units and not User.objects.filter(username=d.username).exists()
    ]
