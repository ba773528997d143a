# The web tests' fixtures: signed-in clients, another supporter and member, an outsider.
from tests.web.conftest import other_member, other_supporter, outsider, signed_in  # noqa: F401
