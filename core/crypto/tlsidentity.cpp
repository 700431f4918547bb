#include "tlsidentity.h"

#include "crypto.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace countersign::crypto {

namespace {

template <auto Free> struct Deleter {
    template <typename T> void operator()(T* pointer) const { Free(pointer); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Deleter<X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free>>;
using BigNumber = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

Error openSslError(const QString& what)
{
    return Error{ErrorCode::Crypto, QStringLiteral("cannot make the TLS certificate: %1").arg(what)};
}

QByteArray drain(BIO* bio)
{
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, static_cast<qsizetype>(size));
}

} // namespace

Result<TlsIdentity> TlsIdentity::generate(const QString& commonName, int validDays)
{
    Key key(EVP_EC_gen("P-256"));
    if (!key)
        return std::unexpected(openSslError(QStringLiteral("no P-256 key")));
    Certificate certificate(X509_new());
    if (!certificate || X509_set_version(certificate.get(), 2) != 1)
        return std::unexpected(openSslError(QStringLiteral("no certificate")));
    // RFC 5280 4.1.2.2: a positive serial of at most 20 octets, unique per issuer: random.
    QByteArray serialBytes = randomBytes(16);
    serialBytes[0] = static_cast<char>(serialBytes[0] & 0x7f);
    BigNumber serial(BN_bin2bn(reinterpret_cast<const unsigned char*>(serialBytes.constData()),
                               static_cast<int>(serialBytes.size()), nullptr));
    if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get())))
        return std::unexpected(openSslError(QStringLiteral("no serial number")));
    if (!X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(certificate.get()), static_cast<long>(validDays) * 86400))
        return std::unexpected(openSslError(QStringLiteral("no validity")));
    X509_NAME* name = X509_get_subject_name(certificate.get());
    const QByteArray cn = commonName.toUtf8().left(64);
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.constData()),
                                   static_cast<int>(cn.size()), -1, 0) != 1 ||
        X509_set_issuer_name(certificate.get(), name) != 1 || X509_set_pubkey(certificate.get(), key.get()) != 1 ||
        X509_sign(certificate.get(), key.get(), EVP_sha256()) <= 0)
        return std::unexpected(openSslError(QStringLiteral("signing failed")));

    Bio certificateOut(BIO_new(BIO_s_mem()));
    Bio keyOut(BIO_new(BIO_s_secmem()));
    if (!certificateOut || !keyOut || PEM_write_bio_X509(certificateOut.get(), certificate.get()) != 1 ||
        PEM_write_bio_PrivateKey(keyOut.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return std::unexpected(openSslError(QStringLiteral("cannot encode")));
    TlsIdentity identity;
    identity.certificatePem = drain(certificateOut.get());
    char* keyData = nullptr;
    const long keySize = BIO_get_mem_data(keyOut.get(), &keyData);
    identity.privateKeyPem = SecureBuffer::copyOf(QByteArrayView(keyData, static_cast<qsizetype>(keySize)));
    return identity;
}

Result<QByteArray> TlsIdentity::fingerprint(const QByteArray& certificatePem)
{
    Bio in(BIO_new_mem_buf(certificatePem.constData(), static_cast<int>(certificatePem.size())));
    Certificate certificate(in ? PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!certificate)
        return fail(ErrorCode::Crypto, QStringLiteral("not a PEM certificate"));
    unsigned char* der = nullptr;
    const int size = i2d_X509(certificate.get(), &der);
    if (size <= 0)
        return fail(ErrorCode::Crypto, QStringLiteral("the certificate cannot be encoded"));
    QByteArray digest = sha256(QByteArrayView(reinterpret_cast<const char*>(der), size));
    OPENSSL_free(der);
    return digest;
}

} // namespace countersign::crypto
