"""Type tokens of every resource the program registers: the harness's dispatch table, the unit
tests and the policy pack look resources up by these, never by retyped strings."""

from __future__ import annotations

# Upstream providers (pulumi-docker, pulumi-postgresql, pulumi-random, pulumi-tls).
DOCKER_REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage"
DOCKER_VOLUME = "docker:index/volume:Volume"
DOCKER_CONTAINER = "docker:index/container:Container"
DOCKER_NETWORK = "docker:index/network:Network"
PG_ROLE = "postgresql:index/role:Role"
PG_DATABASE = "postgresql:index/database:Database"
PG_SCHEMA = "postgresql:index/schema:Schema"
PG_EXTENSION = "postgresql:index/extension:Extension"
PG_GRANT = "postgresql:index/grant:Grant"
PG_DEFAULT_PRIVILEGES = "postgresql:index/defaultPrivileges:DefaultPrivileges"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
TLS_PRIVATE_KEY = "tls:index/privateKey:PrivateKey"
TLS_SELF_SIGNED_CERT = "tls:index/selfSignedCert:SelfSignedCert"
TLS_CERT_REQUEST = "tls:index/certRequest:CertRequest"
TLS_LOCALLY_SIGNED_CERT = "tls:index/locallySignedCert:LocallySignedCert"
PROVIDER_PREFIX = "pulumi:providers:"
POSTGRES_PROVIDER = PROVIDER_PREFIX + "postgresql"
# pulumi.dynamic.Resource registers as `pulumi-python:dynamic:Resource` unless the subclass
# names its module and type, as SchemaBootstrap does.
DYNAMIC_PREFIX = "pulumi-python:dynamic"
SCHEMA_BOOTSTRAP = DYNAMIC_PREFIX + "/pgplatform:SchemaBootstrap"
PLACEMENT_GUARD = DYNAMIC_PREFIX + "/pgplatform:PlacementGuard"
RETAINED_DATA_PARK = DYNAMIC_PREFIX + "/pgplatform:RetainedDataPark"
RETAINED_DATA_ADOPTION = DYNAMIC_PREFIX + "/pgplatform:RetainedDataAdoption"
SERVICE_RETIREMENT = DYNAMIC_PREFIX + "/pgplatform:ServiceRetirement"
READ_ONLY_SESSIONS = DYNAMIC_PREFIX + "/pgplatform:ReadOnlySessions"
SERVER_SETTINGS = DYNAMIC_PREFIX + "/pgplatform:ServerSettings"
HBA_RULES = DYNAMIC_PREFIX + "/pgplatform:HbaRules"
REPLICATION_SLOT = DYNAMIC_PREFIX + "/pgplatform:ReplicationSlot"

# The program's components.
POSTGRES_IMAGE = "pgplatform:index:PostgresImage"
STACK_CERTIFICATES = "pgplatform:index:StackCertificates"
METRICS_EXPORTER = "pgplatform:index:MetricsExporter"
READ_REPLICA = "pgplatform:index:ReadReplica"
"""Registered with {bindAddress, hostPort, replicatorRole, slot}."""
CONNECTION_POOLER = "pgplatform:index:ConnectionPooler"
"""Registered with {bindAddress, hostPort, poolMode, clientTls, serverTls, pools}."""
POSTGRES_SERVER = "pgplatform:index:PostgresServer"
"""Registered with {production, allowVolumeDeletion, volumeName, bindAddress}."""
MANAGED_DATABASE = "pgplatform:index:ManagedDatabase"
SERVICE_IDENTITY = "pgplatform:index:ServiceIdentity"
SERVICE_ACCESS = "pgplatform:index:ServiceAccess"
"""Registered with {service, database, schema, ownerRole, loginRole, migratorRole, readonlyRole,
readers}."""
CONSUMER_ACCESS = "pgplatform:index:ConsumerAccess"
"""Registered with {consumer, database, loginRole, reads, schemas}."""
