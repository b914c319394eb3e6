// libcrypto, which libmosquitto's TLS already maps into the agent: HMAC for card pseudonyms and
// X.509 checks for `run --check` and `doctor`. Only the LibCrypto target includes this.
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
