from knox.models import AuthToken

PREFIX_SHOWN = 8


class ApiToken(AuthToken):
    """knox's token under the product's name. Its row holds a SHA-512 digest of the key and the key's
    first characters (to find the row); the key itself is never stored and cannot be shown again."""

    class Meta:
        proxy = True
        verbose_name = "API token"
        ordering = ["-created"]

    @property
    def prefix(self) -> str:
        return f"{self.token_key[:PREFIX_SHOWN]}…"

    def __str__(self) -> str:
        # knox's own names the digest; this is what the admin's messages and history show instead.
        return f"{self.prefix} for {self.user}"
