#include "crypto/crypto.h"
#include "crypto/hmacsha256.h"
#include "crypto/keyderivation.h"
#include "crypto/securebuffer.h"
#include "crypto/sha256.h"
#include "crypto/signingkey.h"
#include "crypto/tlsidentity.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QSslCertificate>
#include <QSslKey>
#include <QTest>

using namespace countersign::crypto;

class TestCrypto final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(initialize()); }

    void sha256_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("expectedHex");
        // FIPS 180-2 appendix B examples.
        QTest::newRow("empty") << QByteArray()
                               << QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        QTest::newRow("abc") << QByteArray("abc")
                             << QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        QTest::newRow("two blocks") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                                    << QByteArray("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
    void sha256()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, expectedHex);
        QCOMPARE(countersign::crypto::sha256(input).toHex(), expectedHex);
    }

    void sha256Incremental()
    {
        // FIPS 180-2 appendix B.3: one million 'a', fed in uneven pieces.
        countersign::crypto::Sha256 hash;
        const QByteArray piece(997, 'a');
        qsizetype fed = 0;
        for (; fed + piece.size() <= 1'000'000; fed += piece.size())
            hash.update(piece);
        hash.update(QByteArray(1'000'000 - fed, 'a'));
        QCOMPARE(countersign::crypto::toByteArray(hash.finish()).toHex(),
                 QByteArray("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));

        // A copied state continues independently of the original.
        countersign::crypto::Sha256 prefix;
        prefix.update("ab");
        countersign::crypto::Sha256 copy = prefix;
        prefix.update('c');
        copy.update("cdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
        QCOMPARE(countersign::crypto::toByteArray(prefix.finish()).toHex(),
                 QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(countersign::crypto::toByteArray(copy.finish()).toHex(),
                 QByteArray("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    }

    void tlsIdentityIsACertificateWithItsKey()
    {
        auto identity = countersign::crypto::TlsIdentity::generate(QStringLiteral("Countersign test"), 30);
        QVERIFY(identity);
        const QSslCertificate certificate(identity->certificatePem, QSsl::Pem);
        QVERIFY(!certificate.isNull());
        QCOMPARE(certificate.subjectInfo(QSslCertificate::CommonName).value(0), QStringLiteral("Countersign test"));
        QVERIFY(certificate.expiryDate() > QDateTime::currentDateTimeUtc().addDays(29));
        const QSslKey key(identity->privateKeyPem.view().toByteArray(), QSsl::Ec, QSsl::Pem);
        QVERIFY(!key.isNull());
        QCOMPARE(key.type(), QSsl::PrivateKey);
        QCOMPARE(key.algorithm(), QSsl::Ec);
        QCOMPARE(key.length(), 256);
        QCOMPARE(certificate.publicKey().algorithm(), QSsl::Ec);
        // The fingerprint links pin is SHA-256 of the DER encoding, as anyone computes it.
        QCOMPARE(*countersign::crypto::TlsIdentity::fingerprint(identity->certificatePem),
                 certificate.digest(QCryptographicHash::Sha256));
        QCOMPARE(countersign::crypto::TlsIdentity::fingerprint("not a certificate").error().code,
                 countersign::ErrorCode::Crypto);
        // Two identities never share a serial number or key.
        auto other = countersign::crypto::TlsIdentity::generate(QStringLiteral("Countersign test"), 30);
        QVERIFY(QSslCertificate(other->certificatePem, QSsl::Pem).serialNumber() != certificate.serialNumber());
    }

    void hmac_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QByteArray>("expectedHex");
        // RFC 4231 test cases 1, 2 and 6 (a key longer than the block).
        QTest::newRow("case 1") << QByteArray(20, '\x0b') << QByteArray("Hi There")
                                << QByteArray("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        QTest::newRow("case 2") << QByteArray("Jefe") << QByteArray("what do ya want for nothing?")
                                << QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        QTest::newRow("case 6") << QByteArray(131, '\xaa')
                                << QByteArray("Test Using Larger Than Block-Size Key - Hash Key First")
                                << QByteArray("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }
    void hmac()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, message);
        QFETCH(QByteArray, expectedHex);
        const HmacSha256 mac(SecureBuffer::copyOf(key));
        QCOMPARE(mac.mac(message).toHex(), expectedHex);
        QCOMPARE(mac.mac(message).toHex(), expectedHex); // the keyed state is reusable
    }

    void secureBufferTakesAndMoves()
    {
        QByteArray secret("hunter2-and-more");
        SecureBuffer buffer = SecureBuffer::takeFrom(secret);
        QCOMPARE(buffer.view(), QByteArrayView("hunter2-and-more"));
        QVERIFY(secret.isEmpty());
        SecureBuffer moved = std::move(buffer);
        QVERIFY(buffer.isEmpty());
        QCOMPARE(moved.size(), std::size_t{16});
        moved.clear();
        QVERIFY(moved.isEmpty());
    }

    void secureBufferHex()
    {
        const SecureBuffer buffer = SecureBuffer::copyOf(QByteArray::fromHex("00ff10"));
        QCOMPARE(buffer.toHex().view(), QByteArrayView("00ff10"));
    }

    void constantTimeEqual()
    {
        QVERIFY(countersign::crypto::constantTimeEqual("abc", "abc"));
        QVERIFY(!countersign::crypto::constantTimeEqual("abc", "abd"));
        QVERIFY(!countersign::crypto::constantTimeEqual("abc", "abcd"));
        QVERIFY(countersign::crypto::constantTimeEqual("", ""));
    }

    void argon2idIsDeterministicPerSaltAndPassphrase()
    {
        const KdfParams params = KdfParams::fast();
        const SecureBuffer pass = SecureBuffer::copyOf("a passphrase");
        auto first = deriveKey(pass, params);
        auto second = deriveKey(pass, params);
        QVERIFY(first && second);
        QCOMPARE(first->size(), std::size_t{32});
        QCOMPARE(first->view(), second->view());

        KdfParams otherSalt = KdfParams::fast();
        auto salted = deriveKey(pass, otherSalt);
        QVERIFY(salted);
        QVERIFY(salted->view() != first->view());
        auto otherPass = deriveKey(SecureBuffer::copyOf("another passphrase"), params);
        QVERIFY(otherPass->view() != first->view());
        QVERIFY(keyCheckValue(*first) == keyCheckValue(*second));
        QVERIFY(keyCheckValue(*first) != keyCheckValue(*otherPass));
    }

    void kdfParamsRejectTamperedValues()
    {
        const KdfParams params = KdfParams::defaults();
        auto roundTrip = KdfParams::fromJson(params.toJson());
        QVERIFY(roundTrip);
        QCOMPARE(roundTrip->salt, params.salt);
        QCOMPARE(roundTrip->opsLimit, params.opsLimit);
        QCOMPARE(roundTrip->memLimit, params.memLimit);

        QJsonObject tooCheap = params.toJson();
        tooCheap.insert(QStringLiteral("mem_limit"), 1024);
        QVERIFY(!KdfParams::fromJson(tooCheap));
        QJsonObject hugeOps = params.toJson();
        hugeOps.insert(QStringLiteral("ops_limit"), 1000000);
        QVERIFY(!KdfParams::fromJson(hugeOps));
        QJsonObject badSalt = params.toJson();
        badSalt.insert(QStringLiteral("salt"), QStringLiteral("AAAA"));
        QVERIFY(!KdfParams::fromJson(badSalt));
        QJsonObject otherAlgorithm = params.toJson();
        otherAlgorithm.insert(QStringLiteral("algorithm"), QStringLiteral("pbkdf2"));
        QVERIFY(!KdfParams::fromJson(otherAlgorithm));
    }

    void ed25519SignsAndVerifies()
    {
        const SigningKey key = SigningKey::generate();
        const QByteArray message("approve deploy.production");
        const QByteArray signature = key.sign(message);
        QCOMPARE(signature.size(), SigningKey::SIGNATURE_SIZE);
        QVERIFY(SigningKey::verify(key.publicKey(), message, signature));
        QVERIFY(!SigningKey::verify(key.publicKey(), QByteArray("approve deploy.staging"), signature));
        QByteArray flipped = signature;
        flipped[10] = static_cast<char>(flipped[10] ^ 0x01);
        QVERIFY(!SigningKey::verify(key.publicKey(), message, flipped));
        QVERIFY(!SigningKey::verify(SigningKey::generate().publicKey(), message, signature));

        auto restored = SigningKey::fromSeed(key.seed());
        QVERIFY(restored);
        QCOMPARE(restored->publicKey(), key.publicKey());
        QVERIFY(!SigningKey::fromSeed(SecureBuffer::copyOf("short")));
    }

    void ed25519KnownVector()
    {
        // RFC 8032 section 7.1, TEST 2 (one-byte message 0x72).
        const QByteArray seed = QByteArray::fromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
        auto key = SigningKey::fromSeed(SecureBuffer::copyOf(seed));
        QVERIFY(key);
        QCOMPARE(key->publicKey().toHex(),
                 QByteArray("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"));
        QCOMPARE(key->sign(QByteArray::fromHex("72")).toHex(),
                 QByteArray("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                            "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"));
    }
};

QTEST_GUILESS_MAIN(TestCrypto)
#include "tst_crypto.moc"
