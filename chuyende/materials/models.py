from django.db import models
from django.utils.translation import gettext_lazy as _

PHYSICAL_ITEMS = ("book", "dvd", "leaflet")


class MaterialTransfer(models.Model):
    """Materials a unit passed to a unit of its subtree on a day.

    A transfer from a unit to itself is the unit's own supply: copies it printed, bought or got
    from outside the system. It adds to what the unit holds and is neither received nor passed down.
    """

    class Item(models.TextChoices):
        BOOK = "book", _("Book")
        DVD = "dvd", _("DVD")
        LEAFLET = "leaflet", _("Leaflet")
        DIGITAL = "digital", _("Digital document or video link")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT,
        related_name="material_transfers",
    )
    sender = models.ForeignKey(
        "organisation.Unit", verbose_name=_("from unit"), on_delete=models.PROTECT,
        related_name="materials_sent",
    )
    recipient = models.ForeignKey(
        "organisation.Unit", verbose_name=_("to unit"), on_delete=models.PROTECT,
        related_name="materials_received",
    )
    item = models.CharField(_("item"), max_length=10, choices=Item.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    sent_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    attachment = models.FileField(_("file"), upload_to="materials/%Y/", blank=True)

    class Meta:
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["campaign", "sent_on"])]
        verbose_name = _("material transfer")
        verbose_name_plural = _("material transfers")

    def __str__(self) -> str:
        return f"{self.get_item_display()} × {self.quantity} {self.sent_on:%d/%m/%Y}"

    @property
    def is_own_supply(self) -> bool:
        return self.sender_id == self.recipient_id
