"""The customer form back office fills in the admin: phones in any format, alternate phones one per line."""

from django import forms

from voiceassist.common.exceptions import ApplicationError

from .models import Customer
from .phones import phone_normalize


class PhoneListField(forms.Field):
    """Phones one per line, each normalised to E.164 by ``phone_normalize`` (repeats dropped); an unreadable
    one is named with its line, so the clerk knows which to fix."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 24, "placeholder": "+91 98765 43210\n022 4000 1234"})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(phone) for phone in value)
        return value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list | tuple):
            value = "\n".join(map(str, value))
        lines = (value or "").splitlines()
        phones, errors = [], []
        for number, line in enumerate((line.strip() for line in lines), start=1):
            if not line:
                continue
            try:
                phone = phone_normalize(line)
            except ApplicationError as exc:
                errors.append(f"Line {number}: {exc.message}")
                continue
            if phone not in phones:
                phones.append(phone)
        if errors:
            raise forms.ValidationError(errors)
        return phones


class CustomerAdminForm(forms.ModelForm):
    alternate_phones = PhoneListField(
        required=False,
        help_text="One phone per line, in any format; each is stored in international form (+91…).",
    )

    class Meta:
        model = Customer
        fields = ("full_name", "phone", "alternate_phones", "email", "state", "preferred_language")
        help_texts = {"state": "A code or a name: KA, Karnataka and karnataka are all stored as Karnataka."}

    def clean_phone(self) -> str:
        try:
            return phone_normalize(self.cleaned_data["phone"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
