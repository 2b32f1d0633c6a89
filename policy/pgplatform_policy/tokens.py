"""Resource type tokens the policies look at."""

GRANT = "postgresql:index/grant:Grant"
DEFAULT_PRIVILEGES = "postgresql:index/defaultPrivileges:DefaultPrivileges"
ROLE = "postgresql:index/role:Role"
POSTGRES_PROVIDER = "pulumi:providers:postgresql"
CONTAINER = "docker:index/container:Container"
VOLUME = "docker:index/volume:Volume"

# The program's components, registered with the model's view of the stack as their properties.
SERVICE_ACCESS = "pgplatform:index:ServiceAccess"
"""{service, database, schema, ownerRole, loginRole, readers}"""
POSTGRES_SERVER = "pgplatform:index:PostgresServer"
"""{production, allowVolumeDeletion, volumeName, bindAddress}"""


def short(resource_type: str) -> str:
    """`Grant` for `postgresql:index/grant:Grant`, `Provider` for `pulumi:providers:*`: how
    messages name a resource's kind."""
    if resource_type.startswith("pulumi:providers:"):
        return "Provider"
    return resource_type.rsplit(":", 1)[-1]
