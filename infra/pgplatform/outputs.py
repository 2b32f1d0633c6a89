"""Stack output keys: the program exports them, the harness writes them, tests import them."""

ADMIN_DSN = "admin_dsn"
HOST = "host"
PORT = "port"
CONTAINER_NAME = "container_name"
SERVICES = "services"

SERVICE_DATABASE = "database"
SERVICE_SCHEMA = "schema"
SERVICE_LOGIN_ROLE = "login_role"
SERVICE_OWNER_ROLE = "owner_role"
SERVICE_DSN = "dsn"

STACK_KEYS = (ADMIN_DSN, HOST, PORT, CONTAINER_NAME, SERVICES)
SERVICE_KEYS = (SERVICE_DATABASE, SERVICE_SCHEMA, SERVICE_LOGIN_ROLE, SERVICE_OWNER_ROLE,
                SERVICE_DSN)
