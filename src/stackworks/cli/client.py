"""`ApiClient`: the REST API as Python methods, one per endpoint the CLI uses.

The CLI talks to the server only through this class. Answers come back as the API's own pydantic
models; errors as `ApiError` built from the API's error body (`{"detail": {"message", "field"}}`,
or FastAPI's default 422 list whose `loc` names the field). The httpx transport is injectable so
tests can answer from an in-memory fake.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from stackworks.cli.errors import EXIT_USAGE, CliError, UsageError
from stackworks.domain.status import EventKind
from stackworks.tls import TlsSetupError, certificate_problem, client_verify
from stackworks.wire.health import Health
from stackworks.wire.schemas import (
    AccessKeyCreated,
    AccessKeyOut,
    AccessKeyUpdate,
    AddressAssociate,
    AddressOut,
    AddressRegister,
    AddressUpdate,
    AppCreate,
    ApplyResult,
    AppOut,
    AppUpdate,
    AuditEntryOut,
    CommandOut,
    CredentialRotate,
    DatabaseOut,
    DatabaseRegister,
    DatabaseUpdate,
    DeploymentCreate,
    DeploymentOut,
    EventOut,
    HostKeyAccept,
    InstanceCreate,
    InstanceOut,
    LayerCreate,
    LayerOut,
    LayerSshDefaultIn,
    LayerSshDefaultOut,
    LayerUpdate,
    LoadScalingOut,
    LoadScalingUpdate,
    LoginRequest,
    LoginResult,
    MetricsOut,
    MyProfileUpdate,
    PasswordSet,
    PermissionSet,
    RegistrationTokenCreate,
    RegistrationTokenOut,
    ScheduleOut,
    SnapshotOut,
    SnapshotRestore,
    StackCreate,
    StackDocument,
    StackOut,
    StackPermissionOut,
    StackPowerResult,
    StackUpdate,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserCreate,
    UserOut,
    UserTokenCreate,
    UserTokenCreated,
    UserTokenOut,
    UserUpdate,
    VolumeAssign,
    VolumeOut,
    VolumeRegister,
    VolumeUpdate,
    WeeklyScheduleIn,
)

API_PREFIX = "/api/v1"
DEFAULT_TIMEOUT = 30.0

Model = TypeVar("Model", bound=BaseModel)


class ApiError(CliError):
    """The API answered with an error status; `field` names the offending field if it said."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        shown = f"{message} (field: {field})" if field and field not in message else message
        super().__init__(shown)
        self.status = status
        self.field = field


class ConnectionFailed(CliError):
    """Nothing answered at the configured URL."""

    exit_code = EXIT_USAGE

    def __init__(self, url: str) -> None:
        super().__init__(f"cannot reach the Stackworks server at {url}")
        self.url = url


class CertificateRefused(CliError):
    """The server answered, but its TLS certificate did not verify against the trusted CAs."""

    exit_code = EXIT_USAGE

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(
            f"the TLS certificate of {url} was not accepted ({reason}); pass --ca-file FILE "
            "or set STACKWORKS_CA_FILE to the CA (or the certificate) the server uses"
        )
        self.url = url


def _field_path(location: list[Any]) -> str:
    """FastAPI's `loc` (`["body", "layers", 0, "shortname"]`) as `layers[0].shortname`."""
    path = ""
    for part in location:
        if part in ("body", "query", "path"):
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def error_from_response(response: httpx.Response) -> ApiError:
    """The most precise message the error answer allows, whatever its shape."""
    status = response.status_code
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        text = response.text.strip()[:200] or response.reason_phrase
        return ApiError(status, f"the server answered {status}: {text}")
    if isinstance(detail, dict):
        message = str(detail.get("message") or f"the server answered {status}")
        field = detail.get("field")
        return ApiError(status, message, str(field) if field else None)
    if isinstance(detail, list) and detail and all(isinstance(d, dict) for d in detail):
        problems = [f"{_field_path(list(d.get('loc', [])))}: {d.get('msg', '')}" for d in detail]
        first = _field_path(list(detail[0].get("loc", [])))
        return ApiError(status, "; ".join(problems), first)
    if isinstance(detail, str):
        return ApiError(status, detail)
    return ApiError(status, f"the server answered {status}")


def _segment(name: str) -> str:
    return quote(name, safe="")


class ApiClient:
    """One authenticated connection to a Stackworks server."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        ca_file: Path | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        try:
            verify = client_verify(ca_file)
        except TlsSetupError as error:
            raise UsageError(f"--ca-file: {error}") from None
        self._http = httpx.Client(
            base_url=self.url + API_PREFIX,
            headers={"Authorization": f"Bearer {token}"},
            transport=transport,
            timeout=timeout,
            verify=verify,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- plumbing ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | None = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """Send one request; connection failures and error answers become CLI errors."""
        payload = body.model_dump(mode="json", exclude_unset=True) if body is not None else None
        try:
            response = self._http.request(method, path, json=payload, params=params)
        except httpx.ConnectError as exc:
            refused = certificate_problem(exc)
            if refused is not None:
                raise CertificateRefused(self.url, refused) from None
            raise ConnectionFailed(self.url) from None
        except httpx.TimeoutException:
            raise CliError(f"the Stackworks server at {self.url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise ConnectionFailed(self.url) from exc
        if response.status_code >= 400:
            raise error_from_response(response)
        return response

    def _one(self, model: type[Model], method: str, path: str, **kwargs: Any) -> Model:
        response = self.request(method, path, **kwargs)
        try:
            return model.model_validate(response.json())
        except (ValueError, ValidationError) as exc:
            raise CliError(f"unexpected answer from {self.url} for {path}: {exc}") from None

    def _many(self, model: type[Model], path: str, **kwargs: Any) -> list[Model]:
        response = self.request("GET", path, **kwargs)
        try:
            return TypeAdapter(list[model]).validate_python(response.json())  # type: ignore[valid-type]
        except (ValueError, ValidationError) as exc:
            raise CliError(f"unexpected answer from {self.url} for {path}: {exc}") from None

    # --- stacks -----------------------------------------------------------------------------

    def create_stack(self, body: StackCreate) -> StackOut:
        return self._one(StackOut, "POST", "/stacks", body=body)

    def list_stacks(self) -> list[StackOut]:
        return self._many(StackOut, "/stacks")

    def get_stack(self, stack: str) -> StackOut:
        return self._one(StackOut, "GET", f"/stacks/{_segment(stack)}")

    def update_stack(self, stack: str, body: StackUpdate) -> StackOut:
        return self._one(StackOut, "PATCH", f"/stacks/{_segment(stack)}", body=body)

    def delete_stack(self, stack: str) -> None:
        self.request("DELETE", f"/stacks/{_segment(stack)}")

    # --- layers -----------------------------------------------------------------------------

    def _layers(self, stack: str) -> str:
        return f"/stacks/{_segment(stack)}/layers"

    def create_layer(self, stack: str, body: LayerCreate) -> LayerOut:
        return self._one(LayerOut, "POST", self._layers(stack), body=body)

    def list_layers(self, stack: str) -> list[LayerOut]:
        return self._many(LayerOut, self._layers(stack))

    def get_layer(self, stack: str, layer: str) -> LayerOut:
        return self._one(LayerOut, "GET", f"{self._layers(stack)}/{_segment(layer)}")

    def update_layer(self, stack: str, layer: str, body: LayerUpdate) -> LayerOut:
        return self._one(LayerOut, "PATCH", f"{self._layers(stack)}/{_segment(layer)}", body=body)

    def delete_layer(self, stack: str, layer: str) -> None:
        self.request("DELETE", f"{self._layers(stack)}/{_segment(layer)}")

    def set_layer_ssh_default(self, stack: str, layer: str, key: str) -> LayerSshDefaultOut:
        path = f"{self._layers(stack)}/{_segment(layer)}/ssh-default"
        body = LayerSshDefaultIn(ssh_key=key)
        return self._one(LayerSshDefaultOut, "PUT", path, body=body)

    def clear_layer_ssh_default(self, stack: str, layer: str) -> None:
        self.request("DELETE", f"{self._layers(stack)}/{_segment(layer)}/ssh-default")

    # --- apps -------------------------------------------------------------------------------

    def _apps(self, stack: str) -> str:
        return f"/stacks/{_segment(stack)}/apps"

    def create_app(self, stack: str, body: AppCreate) -> AppOut:
        return self._one(AppOut, "POST", self._apps(stack), body=body)

    def list_apps(self, stack: str) -> list[AppOut]:
        return self._many(AppOut, self._apps(stack))

    def get_app(self, stack: str, app: str) -> AppOut:
        return self._one(AppOut, "GET", f"{self._apps(stack)}/{_segment(app)}")

    def update_app(self, stack: str, app: str, body: AppUpdate) -> AppOut:
        return self._one(AppOut, "PATCH", f"{self._apps(stack)}/{_segment(app)}", body=body)

    def delete_app(self, stack: str, app: str) -> None:
        self.request("DELETE", f"{self._apps(stack)}/{_segment(app)}")

    # --- instances --------------------------------------------------------------------------

    def _instances(self, stack: str) -> str:
        return f"/stacks/{_segment(stack)}/instances"

    def create_instance(self, stack: str, body: InstanceCreate) -> InstanceOut:
        return self._one(InstanceOut, "POST", self._instances(stack), body=body)

    def list_instances(self, stack: str) -> list[InstanceOut]:
        return self._many(InstanceOut, self._instances(stack))

    def get_instance(self, stack: str, hostname: str) -> InstanceOut:
        return self._one(InstanceOut, "GET", f"{self._instances(stack)}/{_segment(hostname)}")

    def start_instance(self, stack: str, hostname: str) -> InstanceOut:
        path = f"{self._instances(stack)}/{_segment(hostname)}/start"
        return self._one(InstanceOut, "POST", path)

    def stop_instance(self, stack: str, hostname: str) -> InstanceOut:
        path = f"{self._instances(stack)}/{_segment(hostname)}/stop"
        return self._one(InstanceOut, "POST", path)

    def reboot_instance(self, stack: str, hostname: str) -> InstanceOut:
        path = f"{self._instances(stack)}/{_segment(hostname)}/reboot"
        return self._one(InstanceOut, "POST", path)

    def delete_instance(self, stack: str, hostname: str) -> None:
        self.request("DELETE", f"{self._instances(stack)}/{_segment(hostname)}")

    def accept_host_key(self, stack: str, hostname: str, fingerprint: str) -> InstanceOut:
        path = f"{self._instances(stack)}/{_segment(hostname)}/ssh-host-key"
        return self._one(InstanceOut, "POST", path, body=HostKeyAccept(fingerprint=fingerprint))

    def create_registration_token(self, stack: str, expires_in: int) -> RegistrationTokenOut:
        path = f"/stacks/{_segment(stack)}/registration-tokens"
        body = RegistrationTokenCreate(expires_in=expires_in)
        return self._one(RegistrationTokenOut, "POST", path, body=body)

    def rotate_credential(self, stack: str, hostname: str, grace: int) -> InstanceOut:
        path = f"{self._instances(stack)}/{_segment(hostname)}/rotate-credential"
        return self._one(InstanceOut, "POST", path, body=CredentialRotate(grace=grace))

    def revoke_credential(self, stack: str, hostname: str) -> InstanceOut:
        path = f"{self._instances(stack)}/{_segment(hostname)}/revoke-credential"
        return self._one(InstanceOut, "POST", path)

    # --- deployments and commands -----------------------------------------------------------

    def create_deployment(self, stack: str, body: DeploymentCreate) -> DeploymentOut:
        path = f"/stacks/{_segment(stack)}/deployments"
        return self._one(DeploymentOut, "POST", path, body=body)

    def list_deployments(self, stack: str) -> list[DeploymentOut]:
        return self._many(DeploymentOut, f"/stacks/{_segment(stack)}/deployments")

    def get_deployment(
        self, stack: str, deployment_id: str, *, logs: bool = False
    ) -> DeploymentOut:
        path = f"/stacks/{_segment(stack)}/deployments/{_segment(deployment_id)}"
        params = {"logs": "true"} if logs else None
        return self._one(DeploymentOut, "GET", path, params=params)

    def list_commands(self, stack: str, *, instance: str | None = None) -> list[CommandOut]:
        params = {"instance": instance} if instance else None
        return self._many(CommandOut, f"/stacks/{_segment(stack)}/commands", params=params)

    def get_command(self, stack: str, command_id: str, *, logs: bool = False) -> CommandOut:
        path = f"/stacks/{_segment(stack)}/commands/{_segment(command_id)}"
        params = {"logs": "true"} if logs else None
        return self._one(CommandOut, "GET", path, params=params)

    # --- events -----------------------------------------------------------------------------

    def health(self) -> Health:
        """The answering replica's health: version, and which replica runs the orchestrator."""
        return self._one(Health, "GET", "/health")

    def list_audit(
        self, stack: str | None, *, since: str | None = None, limit: int | None = None
    ) -> list[AuditEntryOut]:
        """One stack's audit records, or (no stack) the whole server's."""
        path = "/audit" if stack is None else f"/stacks/{_segment(stack)}/audit"
        params: dict[str, Any] = {}
        if since:
            params["since"] = since
        if limit:
            params["limit"] = limit
        return self._many(AuditEntryOut, path, params=params)

    def list_events(
        self,
        stack: str,
        *,
        after: int = 0,
        kinds: list[EventKind] | None = None,
        limit: int | None = None,
    ) -> list[EventOut]:
        params: dict[str, Any] = {}
        if after:
            params["after"] = str(after)
        if kinds:
            params["kind"] = [k.value for k in kinds]
        if limit:
            params["limit"] = str(limit)
        return self._many(EventOut, f"/stacks/{_segment(stack)}/events", params=params or None)

    # --- whole-stack documents --------------------------------------------------------------

    def get_document(self, stack: str, *, with_secrets: bool = False) -> StackDocument:
        params = {"with_secrets": "true"} if with_secrets else None
        return self._one(StackDocument, "GET", f"/stacks/{_segment(stack)}/document", params=params)

    # --- tokens ----------------------------------------------------------------------------

    def create_token(self, body: TokenCreate) -> TokenCreated:
        return self._one(TokenCreated, "POST", "/tokens", body=body)

    def list_tokens(self) -> list[TokenOut]:
        return self._many(TokenOut, "/tokens")

    def delete_token(self, name: str) -> None:
        self.request("DELETE", f"/tokens/{_segment(name)}")

    # --- users, their tokens and passwords, the login, per-stack permissions ---------------

    def _user(self, name: str) -> str:
        return f"/users/{_segment(name)}"

    def create_user(self, body: UserCreate) -> UserOut:
        return self._one(UserOut, "POST", "/users", body=body)

    def list_users(self) -> list[UserOut]:
        return self._many(UserOut, "/users")

    def get_user(self, name: str) -> UserOut:
        return self._one(UserOut, "GET", self._user(name))

    def update_user(self, name: str, body: UserUpdate) -> UserOut:
        return self._one(UserOut, "PATCH", self._user(name), body=body)

    def delete_user(self, name: str) -> None:
        self.request("DELETE", self._user(name))

    def set_password(self, name: str, body: PasswordSet) -> None:
        self.request("PUT", f"{self._user(name)}/password", body=body)

    def set_my_password(self, body: PasswordSet) -> None:
        self.request("PUT", "/me/password", body=body)

    def create_user_token(self, name: str, body: UserTokenCreate) -> UserTokenCreated:
        return self._one(UserTokenCreated, "POST", f"{self._user(name)}/tokens", body=body)

    def list_user_tokens(self, name: str) -> list[UserTokenOut]:
        return self._many(UserTokenOut, f"{self._user(name)}/tokens")

    def revoke_user_token(self, name: str, token: str) -> None:
        self.request("DELETE", f"{self._user(name)}/tokens/{_segment(token)}")

    def whoami(self) -> UserOut:
        return self._one(UserOut, "GET", "/me")

    # --- access keys (the OpsWorks API): one's own under /me, anyone's for a server admin ---

    def _access_keys(self, name: str) -> str:
        own = self.whoami().name == name
        return "/me/access-keys" if own else f"{self._user(name)}/access-keys"

    def create_access_key(self, name: str) -> AccessKeyCreated:
        return self._one(AccessKeyCreated, "POST", self._access_keys(name))

    def list_access_keys(self, name: str) -> list[AccessKeyOut]:
        return self._many(AccessKeyOut, self._access_keys(name))

    def update_access_key(self, name: str, key: str, body: AccessKeyUpdate) -> AccessKeyOut:
        path = f"{self._access_keys(name)}/{_segment(key)}"
        return self._one(AccessKeyOut, "PATCH", path, body=body)

    def delete_access_key(self, name: str, key: str) -> None:
        self.request("DELETE", f"{self._access_keys(name)}/{_segment(key)}")

    def update_my_profile(self, body: MyProfileUpdate) -> UserOut:
        return self._one(UserOut, "PATCH", "/me", body=body)

    def login(self, body: LoginRequest) -> LoginResult:
        return self._one(LoginResult, "POST", "/login", body=body)

    def list_permissions(self, stack: str) -> list[StackPermissionOut]:
        return self._many(StackPermissionOut, f"/stacks/{_segment(stack)}/permissions")

    def set_permission(self, stack: str, user: str, body: PermissionSet) -> StackPermissionOut:
        path = f"/stacks/{_segment(stack)}/permissions/{_segment(user)}"
        return self._one(StackPermissionOut, "PUT", path, body=body)

    def remove_permission(self, stack: str, user: str) -> None:
        self.request("DELETE", f"/stacks/{_segment(stack)}/permissions/{_segment(user)}")

    def put_document(self, document: StackDocument) -> ApplyResult:
        path = f"/stacks/{_segment(document.name)}/document"
        return self._one(ApplyResult, "PUT", path, body=document)

    # --- time-based and load-based instances, metrics history ------------------------------

    def _schedule(self, stack: str, hostname: str) -> str:
        return f"{self._instances(stack)}/{_segment(hostname)}/schedule"

    def get_schedule(self, stack: str, hostname: str) -> ScheduleOut:
        return self._one(ScheduleOut, "GET", self._schedule(stack, hostname))

    def put_schedule(self, stack: str, hostname: str, body: WeeklyScheduleIn) -> ScheduleOut:
        return self._one(ScheduleOut, "PUT", self._schedule(stack, hostname), body=body)

    def clear_schedule(self, stack: str, hostname: str) -> None:
        self.request("DELETE", self._schedule(stack, hostname))

    def get_load_scaling(self, stack: str, layer: str) -> LoadScalingOut:
        path = f"{self._layers(stack)}/{_segment(layer)}/load-scaling"
        return self._one(LoadScalingOut, "GET", path)

    def update_load_scaling(
        self, stack: str, layer: str, body: LoadScalingUpdate
    ) -> LoadScalingOut:
        path = f"{self._layers(stack)}/{_segment(layer)}/load-scaling"
        return self._one(LoadScalingOut, "PATCH", path, body=body)

    def instance_metrics(
        self, stack: str, hostname: str, *, since: str | None = None, resolution: str = "raw"
    ) -> MetricsOut:
        params = {"resolution": resolution, **({"since": since} if since else {})}
        path = f"{self._instances(stack)}/{_segment(hostname)}/metrics"
        return self._one(MetricsOut, "GET", path, params=params)

    # --- resources: volumes, snapshots, addresses, databases, start/stop stack ---------------

    def _stack(self, stack: str) -> str:
        return f"/stacks/{_segment(stack)}"

    def list_volumes(self, stack: str) -> list[VolumeOut]:
        return self._many(VolumeOut, f"{self._stack(stack)}/volumes")

    def get_volume(self, stack: str, volume: str) -> VolumeOut:
        return self._one(VolumeOut, "GET", f"{self._stack(stack)}/volumes/{_segment(volume)}")

    def register_volume(self, stack: str, body: VolumeRegister) -> VolumeOut:
        return self._one(VolumeOut, "POST", f"{self._stack(stack)}/volumes", body=body)

    def update_volume(self, stack: str, volume: str, body: VolumeUpdate) -> VolumeOut:
        path = f"{self._stack(stack)}/volumes/{_segment(volume)}"
        return self._one(VolumeOut, "PATCH", path, body=body)

    def assign_volume(self, stack: str, volume: str, body: VolumeAssign) -> VolumeOut:
        path = f"{self._stack(stack)}/volumes/{_segment(volume)}/assign"
        return self._one(VolumeOut, "POST", path, body=body)

    def unassign_volume(self, stack: str, volume: str) -> VolumeOut:
        path = f"{self._stack(stack)}/volumes/{_segment(volume)}/unassign"
        return self._one(VolumeOut, "POST", path)

    def deregister_volume(self, stack: str, volume: str) -> None:
        self.request("DELETE", f"{self._stack(stack)}/volumes/{_segment(volume)}")

    def take_snapshot(self, stack: str, volume: str) -> SnapshotOut:
        path = f"{self._stack(stack)}/volumes/{_segment(volume)}/snapshots"
        return self._one(SnapshotOut, "POST", path)

    def list_snapshots(self, stack: str, volume: str | None = None) -> list[SnapshotOut]:
        if volume is None:
            return self._many(SnapshotOut, f"{self._stack(stack)}/snapshots")
        return self._many(SnapshotOut, f"{self._stack(stack)}/volumes/{_segment(volume)}/snapshots")

    def restore_snapshot(self, stack: str, snapshot: str, body: SnapshotRestore) -> VolumeOut:
        path = f"{self._stack(stack)}/snapshots/{_segment(snapshot)}/restore"
        return self._one(VolumeOut, "POST", path, body=body)

    def delete_snapshot(self, stack: str, snapshot: str) -> None:
        self.request("DELETE", f"{self._stack(stack)}/snapshots/{_segment(snapshot)}")

    def list_addresses(self, stack: str) -> list[AddressOut]:
        return self._many(AddressOut, f"{self._stack(stack)}/addresses")

    def get_address(self, stack: str, address: str) -> AddressOut:
        path = f"{self._stack(stack)}/addresses/{_segment(address)}"
        return self._one(AddressOut, "GET", path)

    def register_address(self, stack: str, body: AddressRegister) -> AddressOut:
        return self._one(AddressOut, "POST", f"{self._stack(stack)}/addresses", body=body)

    def update_address(self, stack: str, address: str, body: AddressUpdate) -> AddressOut:
        path = f"{self._stack(stack)}/addresses/{_segment(address)}"
        return self._one(AddressOut, "PATCH", path, body=body)

    def associate_address(self, stack: str, address: str, body: AddressAssociate) -> AddressOut:
        path = f"{self._stack(stack)}/addresses/{_segment(address)}/associate"
        return self._one(AddressOut, "POST", path, body=body)

    def disassociate_address(self, stack: str, address: str) -> AddressOut:
        path = f"{self._stack(stack)}/addresses/{_segment(address)}/disassociate"
        return self._one(AddressOut, "POST", path)

    def deregister_address(self, stack: str, address: str) -> None:
        self.request("DELETE", f"{self._stack(stack)}/addresses/{_segment(address)}")

    def list_databases(self, stack: str) -> list[DatabaseOut]:
        return self._many(DatabaseOut, f"{self._stack(stack)}/databases")

    def get_database(self, stack: str, database: str) -> DatabaseOut:
        path = f"{self._stack(stack)}/databases/{_segment(database)}"
        return self._one(DatabaseOut, "GET", path)

    def register_database(self, stack: str, body: DatabaseRegister) -> DatabaseOut:
        return self._one(DatabaseOut, "POST", f"{self._stack(stack)}/databases", body=body)

    def update_database(self, stack: str, database: str, body: DatabaseUpdate) -> DatabaseOut:
        path = f"{self._stack(stack)}/databases/{_segment(database)}"
        return self._one(DatabaseOut, "PATCH", path, body=body)

    def deregister_database(self, stack: str, database: str) -> None:
        self.request("DELETE", f"{self._stack(stack)}/databases/{_segment(database)}")

    def start_stack(self, stack: str) -> StackPowerResult:
        return self._one(StackPowerResult, "POST", f"{self._stack(stack)}/start")

    def stop_stack(self, stack: str) -> StackPowerResult:
        return self._one(StackPowerResult, "POST", f"{self._stack(stack)}/stop")
