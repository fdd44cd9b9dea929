"""A stand-in for Python's `ssl` module, for the CPython in lambda-sim's sandbox (WASI), which
has no `_ssl`: installed as `ssl` by the adapter only when `import ssl` fails.

It lets packages that import `ssl` at load time (urllib3 2.x, botocore, boto3, http.client)
import and configure their TLS settings, so that a handler can `import boto3` and create a
client in its Init phase. What needs TLS itself fails when it is tried, with `SSLError`:
wrapping a socket (`SSLContext.wrap_socket`, `wrap_bio`), `get_server_certificate`.

The names and values are those of CPython's `ssl` built with OpenSSL 3 (`OPENSSL_VERSION`
starts with "OpenSSL " and says it is a stand-in: urllib3 2.x refuses, or warns about, other
TLS libraries at import).

Expectations: `import urllib3, botocore.httpsession, boto3` succeed; `create_default_context()`
and `SSLContext(PROTOCOL_TLS_CLIENT)` return a context whose settings can be read and set;
`context.wrap_socket(sock)` raises `ssl.SSLError` naming lambda-sim.
"""

import base64
import collections
import enum
import os
import socket

TLS_UNAVAILABLE = (
    "lambda-sim: TLS is not available in the sandbox (its CPython has no `ssl`): HTTPS "
    "connections cannot be made; boto3 calls go to lambda-sim's AWS endpoint (AWS_ENDPOINT_URL) "
    "over wasi:http"
)

OPENSSL_VERSION = "OpenSSL 3.0.0 (lambda-sim stand-in, no TLS)"
OPENSSL_VERSION_INFO = (3, 0, 0, 0, 0)
OPENSSL_VERSION_NUMBER = 0x30000000
_OPENSSL_API_VERSION = OPENSSL_VERSION_INFO

HAS_SNI = True
HAS_ALPN = True
HAS_ECDH = True
HAS_NPN = False
HAS_NEVER_CHECK_COMMON_NAME = True
HAS_SSLv2 = False
HAS_SSLv3 = False
HAS_TLSv1 = True
HAS_TLSv1_1 = True
HAS_TLSv1_2 = True
HAS_TLSv1_3 = True
HAS_PSK = False
HAS_PHA = True

CHANNEL_BINDING_TYPES = ["tls-unique"]
PEM_HEADER = "-----BEGIN CERTIFICATE-----"
PEM_FOOTER = "-----END CERTIFICATE-----"
_DEFAULT_CIPHERS = "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM"

socket_error = OSError


class _SSLMethod(enum.IntEnum):
    PROTOCOL_TLS = 2
    PROTOCOL_SSLv23 = 2
    PROTOCOL_TLSv1 = 3
    PROTOCOL_TLSv1_1 = 4
    PROTOCOL_TLSv1_2 = 5
    PROTOCOL_TLS_CLIENT = 16
    PROTOCOL_TLS_SERVER = 17


class Options(enum.IntFlag):
    OP_NO_SSLv2 = 0
    OP_ALL = 0x80000050
    OP_IGNORE_UNEXPECTED_EOF = 0x80
    OP_NO_TICKET = 0x4000
    OP_NO_COMPRESSION = 0x20000
    OP_ENABLE_MIDDLEBOX_COMPAT = 0x100000
    OP_CIPHER_SERVER_PREFERENCE = 0x400000
    OP_NO_SSLv3 = 0x2000000
    OP_NO_TLSv1 = 0x4000000
    OP_NO_TLSv1_2 = 0x8000000
    OP_NO_TLSv1_1 = 0x10000000
    OP_NO_TLSv1_3 = 0x20000000
    OP_NO_RENEGOTIATION = 0x40000000
    OP_SINGLE_DH_USE = 0
    OP_SINGLE_ECDH_USE = 0


class VerifyMode(enum.IntEnum):
    CERT_NONE = 0
    CERT_OPTIONAL = 1
    CERT_REQUIRED = 2


class VerifyFlags(enum.IntFlag):
    VERIFY_DEFAULT = 0
    VERIFY_CRL_CHECK_LEAF = 0x4
    VERIFY_CRL_CHECK_CHAIN = 0xC
    VERIFY_X509_STRICT = 0x20
    VERIFY_ALLOW_PROXY_CERTS = 0x40
    VERIFY_X509_TRUSTED_FIRST = 0x8000
    VERIFY_X509_PARTIAL_CHAIN = 0x80000


class TLSVersion(enum.IntEnum):
    MINIMUM_SUPPORTED = -2
    MAXIMUM_SUPPORTED = -1
    SSLv3 = 0x300
    TLSv1 = 0x301
    TLSv1_1 = 0x302
    TLSv1_2 = 0x303
    TLSv1_3 = 0x304


class SSLErrorNumber(enum.IntEnum):
    SSL_ERROR_SSL = 1
    SSL_ERROR_WANT_READ = 2
    SSL_ERROR_WANT_WRITE = 3
    SSL_ERROR_WANT_X509_LOOKUP = 4
    SSL_ERROR_SYSCALL = 5
    SSL_ERROR_ZERO_RETURN = 6
    SSL_ERROR_WANT_CONNECT = 7
    SSL_ERROR_EOF = 8
    SSL_ERROR_INVALID_ERROR_CODE = 10


class Purpose(enum.Enum):
    SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
    CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"


# The enums' members as module constants, as in CPython's `ssl`.
for _enum in (_SSLMethod, Options, VerifyMode, VerifyFlags, SSLErrorNumber):
    globals().update(_enum.__members__)
del _enum


class SSLError(OSError):
    """An error from the TLS layer; here, that there is none."""

    library = None
    reason = None


class SSLZeroReturnError(SSLError):
    pass


class SSLWantReadError(SSLError):
    pass


class SSLWantWriteError(SSLError):
    pass


class SSLSyscallError(SSLError):
    pass


class SSLEOFError(SSLError):
    pass


class SSLCertVerificationError(SSLError, ValueError):
    verify_code = None
    verify_message = None


CertificateError = SSLCertVerificationError


def _unavailable():
    return SSLError(TLS_UNAVAILABLE)


class SSLContext:
    """TLS settings, kept as set; a connection made with them raises `SSLError`."""

    def __init__(self, protocol=None, *args, **kwargs):
        if protocol is None:
            protocol = PROTOCOL_TLS
        self.protocol = _SSLMethod(protocol)
        client = self.protocol == PROTOCOL_TLS_CLIENT
        self.options = (
            Options.OP_ALL | OP_NO_SSLv3 | OP_NO_COMPRESSION | OP_CIPHER_SERVER_PREFERENCE
            | OP_ENABLE_MIDDLEBOX_COMPAT
        )
        self.verify_mode = CERT_REQUIRED if client else CERT_NONE
        self.check_hostname = client
        self.verify_flags = VERIFY_X509_TRUSTED_FIRST
        self.minimum_version = TLSVersion.TLSv1_2
        self.maximum_version = TLSVersion.MAXIMUM_SUPPORTED
        self.post_handshake_auth = False
        self.keylog_filename = None
        self.hostname_checks_common_name = True
        self.sni_callback = None
        self.security_level = 2
        self.num_tickets = 2
        self._alpn_protocols = []
        self._ciphers = _DEFAULT_CIPHERS
        self._ca_certs = []

    def load_verify_locations(self, cafile=None, capath=None, cadata=None):
        if cafile is None and capath is None and cadata is None:
            raise TypeError("cafile, capath and cadata cannot be all omitted")
        self._ca_certs.append((cafile, capath, cadata))

    def load_cert_chain(self, certfile, keyfile=None, password=None):
        pass

    def load_default_certs(self, purpose=Purpose.SERVER_AUTH):
        pass

    def set_default_verify_paths(self):
        pass

    def set_ciphers(self, ciphers):
        self._ciphers = ciphers

    def get_ciphers(self):
        return []

    def set_alpn_protocols(self, alpn_protocols):
        self._alpn_protocols = list(alpn_protocols)

    def set_npn_protocols(self, npn_protocols):
        pass

    def set_ecdh_curve(self, name):
        pass

    def load_dh_params(self, path):
        pass

    def get_ca_certs(self, binary_form=False):
        return []

    def cert_store_stats(self):
        return {"x509": 0, "crl": 0, "x509_ca": 0}

    def session_stats(self):
        return {}

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True,
                    suppress_ragged_eofs=True, server_hostname=None, session=None):
        raise _unavailable()

    def wrap_bio(self, incoming, outgoing, server_side=False, server_hostname=None, session=None):
        raise _unavailable()


class MemoryBIO:
    """A buffer, as the TLS layer's input or output."""

    def __init__(self):
        self._buffer = bytearray()
        self.eof = False

    @property
    def pending(self):
        return len(self._buffer)

    def read(self, size=-1):
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def write(self, data):
        self._buffer += data
        return len(data)

    def write_eof(self):
        self.eof = True


class SSLObject:
    """Never made: `SSLContext.wrap_bio` raises."""

    def __init__(self, *args, **kwargs):
        raise _unavailable()


class SSLSocket(socket.socket):
    """Never made: `SSLContext.wrap_socket` raises."""

    def __init__(self, *args, **kwargs):
        raise _unavailable()


class SSLSession:
    """Never made: there are no TLS sessions."""

    def __init__(self, *args, **kwargs):
        raise _unavailable()


def create_default_context(purpose=Purpose.SERVER_AUTH, *, cafile=None, capath=None, cadata=None):
    if purpose == Purpose.SERVER_AUTH:
        context = SSLContext(PROTOCOL_TLS_CLIENT)
    elif purpose == Purpose.CLIENT_AUTH:
        context = SSLContext(PROTOCOL_TLS_SERVER)
    else:
        raise ValueError(purpose)
    if cafile or capath or cadata:
        context.load_verify_locations(cafile, capath, cadata)
    return context


def _create_unverified_context(protocol=None, *, cert_reqs=CERT_NONE, check_hostname=False,
                               purpose=Purpose.SERVER_AUTH, certfile=None, keyfile=None,
                               cafile=None, capath=None, cadata=None):
    context = SSLContext(PROTOCOL_TLS_CLIENT if protocol is None else protocol)
    context.check_hostname = check_hostname
    context.verify_mode = cert_reqs
    return context


_create_default_https_context = create_default_context
_create_stdlib_context = _create_unverified_context

DefaultVerifyPaths = collections.namedtuple(
    "DefaultVerifyPaths",
    "cafile capath openssl_cafile_env openssl_cafile openssl_capath_env openssl_capath",
)


def get_default_verify_paths():
    return DefaultVerifyPaths(
        os.environ.get("SSL_CERT_FILE"),
        os.environ.get("SSL_CERT_DIR"),
        "SSL_CERT_FILE",
        "/etc/ssl/cert.pem",
        "SSL_CERT_DIR",
        "/etc/ssl/certs",
    )


def get_server_certificate(addr, ssl_version=PROTOCOL_TLS_CLIENT, ca_certs=None, timeout=None):
    raise _unavailable()


def get_protocol_name(protocol_code):
    try:
        return _SSLMethod(protocol_code).name[len("PROTOCOL_"):]
    except ValueError:
        return "<unknown>"


def DER_cert_to_PEM_cert(der_cert_bytes):
    text = base64.standard_b64encode(der_cert_bytes).decode("ascii")
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return PEM_HEADER + "\n" + "\n".join(lines) + "\n" + PEM_FOOTER + "\n"


def PEM_cert_to_DER_cert(pem_cert_string):
    if not pem_cert_string.startswith(PEM_HEADER):
        raise ValueError(f"Invalid PEM encoding; must start with {PEM_HEADER}")
    if not pem_cert_string.strip().endswith(PEM_FOOTER):
        raise ValueError(f"Invalid PEM encoding; must end with {PEM_FOOTER}")
    body = pem_cert_string.strip()[len(PEM_HEADER):-len(PEM_FOOTER)]
    return base64.decodebytes(body.encode("ASCII", "strict"))


def cert_time_to_seconds(cert_time):
    import calendar
    import time

    return calendar.timegm(time.strptime(cert_time, "%b %d %H:%M:%S %Y GMT"))


def RAND_bytes(n):
    return os.urandom(n)


def RAND_status():
    return True


def RAND_add(string, entropy):
    pass
