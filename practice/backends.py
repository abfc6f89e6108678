from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailOrUsernameBackend(ModelBackend):
    """Authenticate with either the username or the email address (any case)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        User = get_user_model()
        field = "email__iexact" if "@" in username else "username__iexact"
        user = User._default_manager.filter(**{field: username.strip()}).first()
        if user is None:
            # Spend the same time as a real check so timing does not reveal which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
