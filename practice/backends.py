from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import router

from .rows import model_rows


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

    def get_user(self, user_id):
        """ModelBackend.get_user, with one fixed statement: it runs on every signed-in request, and
        compiling its QuerySet cost more CPU than the query (see practice/rows.py)."""
        User = get_user_model()
        where = f"WHERE {User._meta.pk.column} = %s"
        rows = model_rows(User, where, [user_id], using=router.db_for_read(User))
        if rows and self.user_can_authenticate(rows[0]):
            return rows[0]
        return None
