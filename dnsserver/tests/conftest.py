# Fixtures these tests share with the apps whose zones the server is given.
from registrar.tests.conftest import funded_owner, registry  # noqa: F401
from zones.tests.conftest import zone  # noqa: F401
