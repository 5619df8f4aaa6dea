from tests.cases.conftest import world  # noqa: F401 - the cases app's agency
from tests.notify.conftest import smtp_server  # noqa: F401 - the outbox sends to a real SMTP server
