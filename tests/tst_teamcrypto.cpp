#include "crypto/columncipher.h"
#include "crypto/crypto.h"
#include "crypto/datakeywrap.h"
#include "crypto/keyderivation.h"
#include "pgcluster.h"
#include "storage/pgconnection.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sodium.h>

using namespace countersign;
using crypto::CellAddress;
using crypto::ColumnCipher;
using crypto::DataKeyWrap;

Q_DECLARE_METATYPE(countersign::crypto::CellAddress)

namespace {

const CellAddress PAYLOAD_OF_REQ_1{QStringLiteral("requests"), QStringLiteral("payload"), QStringLiteral("req_1")};
const QByteArray MARKER = "MARKER-7f3a-payload-never-in-the-database";

/// Sets CREDENTIALS_DIRECTORY for the scope of one test, as systemd would for a service.
class CredentialsDirectory final {
public:
    CredentialsDirectory()
        : m_saved(qgetenv("CREDENTIALS_DIRECTORY"))
    {
        qputenv("CREDENTIALS_DIRECTORY", QFile::encodeName(m_dir.path()));
    }
    ~CredentialsDirectory()
    {
        if (m_saved.isNull())
            qunsetenv("CREDENTIALS_DIRECTORY");
        else
            qputenv("CREDENTIALS_DIRECTORY", m_saved);
    }
    CredentialsDirectory(const CredentialsDirectory&) = delete;
    CredentialsDirectory& operator=(const CredentialsDirectory&) = delete;

    bool write(const QString& name, const QByteArray& bytes, QFileDevice::Permissions permissions)
    {
        QFile file(m_dir.filePath(name));
        return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.setPermissions(permissions);
    }

private:
    QTemporaryDir m_dir;
    QByteArray m_saved;
};

} // namespace

class TestTeamCrypto final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(crypto::initialize()); }

    void sealsAndOpens()
    {
        const ColumnCipher cipher = ColumnCipher::generate();
        const QByteArray plaintext = "{\"command\":\"deploy\",\"secret\":\"" + MARKER + "\"}";
        const QByteArray envelope = cipher.seal(plaintext, PAYLOAD_OF_REQ_1);
        QCOMPARE(envelope.size(), plaintext.size() + ColumnCipher::OVERHEAD);
        QCOMPARE(envelope.at(0), ColumnCipher::VERSION);
        QVERIFY(!envelope.contains(MARKER));
        auto opened = cipher.open(envelope, PAYLOAD_OF_REQ_1);
        QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
        QCOMPARE(*opened, plaintext);
        // A fresh nonce per value: the same plaintext in the same cell seals differently.
        QVERIFY(cipher.seal(plaintext, PAYLOAD_OF_REQ_1) != envelope);
        // The empty value round-trips too.
        QCOMPARE(cipher.open(cipher.seal({}, PAYLOAD_OF_REQ_1), PAYLOAD_OF_REQ_1).value_or("x"), QByteArray());
    }

    void refusesAlteredEnvelope_data()
    {
        QTest::addColumn<int>("position"); // negative: from the end
        QTest::addColumn<ErrorCode>("code");
        QTest::newRow("version byte") << 0 << ErrorCode::UnsupportedSchema;
        QTest::newRow("nonce") << 5 << ErrorCode::Integrity;
        QTest::newRow("ciphertext") << 1 + 24 + 3 << ErrorCode::Integrity;
        QTest::newRow("tag") << -1 << ErrorCode::Integrity;
    }
    void refusesAlteredEnvelope()
    {
        QFETCH(int, position);
        QFETCH(ErrorCode, code);
        const ColumnCipher cipher = ColumnCipher::generate();
        QByteArray envelope = cipher.seal("approve the deploy of web-7", PAYLOAD_OF_REQ_1);
        const qsizetype at = position >= 0 ? position : envelope.size() + position;
        envelope[at] = static_cast<char>(envelope.at(at) ^ 0x01);
        auto opened = cipher.open(envelope, PAYLOAD_OF_REQ_1);
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), code);
        QVERIFY2(opened.error().message.contains(QStringLiteral("requests.payload of row req_1")),
                 qPrintable(opened.error().message));
        // Truncated below the overhead: refused, not read out of bounds.
        auto truncated = cipher.open(envelope.first(ColumnCipher::OVERHEAD - 1), PAYLOAD_OF_REQ_1);
        QVERIFY(!truncated);
        QCOMPARE(test::errorCode(truncated), ErrorCode::Integrity);
    }

    void refusesEnvelopeMovedToAnotherCell_data()
    {
        QTest::addColumn<CellAddress>("elsewhere");
        QTest::newRow("another row") << CellAddress{QStringLiteral("requests"), QStringLiteral("payload"),
                                                    QStringLiteral("req_2")};
        QTest::newRow("another column") << CellAddress{QStringLiteral("requests"), QStringLiteral("reason"),
                                                       QStringLiteral("req_1")};
        QTest::newRow("another table") << CellAddress{QStringLiteral("decisions"), QStringLiteral("payload"),
                                                      QStringLiteral("req_1")};
        // Length prefixes keep the parts apart: "requests"+"payload" is not "requestsp"+"ayload".
        QTest::newRow("shifted boundary")
            << CellAddress{QStringLiteral("requestsp"), QStringLiteral("ayload"), QStringLiteral("req_1")};
    }
    void refusesEnvelopeMovedToAnotherCell()
    {
        QFETCH(CellAddress, elsewhere);
        const ColumnCipher cipher = ColumnCipher::generate();
        const QByteArray envelope = cipher.seal(MARKER, PAYLOAD_OF_REQ_1);
        auto opened = cipher.open(envelope, elsewhere);
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::Integrity);
        QVERIFY2(opened.error().message.contains(QStringLiteral("sealed for another row or column")),
                 qPrintable(opened.error().message));
    }

    void refusesEnvelopeUnderAnotherKey()
    {
        const QByteArray envelope = ColumnCipher::generate().seal(MARKER, PAYLOAD_OF_REQ_1);
        auto opened = ColumnCipher::generate().open(envelope, PAYLOAD_OF_REQ_1);
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::Integrity);
    }

    /// From the outside: the database holds only envelopes (a dump shows no plaintext), and a
    /// ciphertext copied into another row with SQL, as someone with access to the database
    /// could, fails to open when read back.
    void databaseHoldsOnlyCiphertextAndRefusesSwappedRows()
    {
        QVERIFY2(QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")),
                 "Qt's QPSQL driver is missing: scripts/install-deps.sh installs libqt6sql6-psql");
        test::PgCluster cluster;
        QVERIFY(cluster.start());
        const QString name = QStringLiteral("teamcrypto");
        {
            auto opened = storage::PgConnection::open(cluster.connectionConfig(), name);
            QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
            QSqlDatabase db = *opened;
            const ColumnCipher cipher = ColumnCipher::generate();
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("CREATE TABLE cells (id TEXT PRIMARY KEY, payload BYTEA NOT NULL)")));
            for (const QString& id : {QStringLiteral("req_1"), QStringLiteral("req_2")}) {
                QVERIFY(query.prepare(QStringLiteral("INSERT INTO cells (id, payload) VALUES (?, ?)")));
                query.addBindValue(id);
                query.addBindValue(cipher.seal(QByteArray(MARKER + ' ' + id.toUtf8()),
                                               {QStringLiteral("cells"), QStringLiteral("payload"), id}));
                QVERIFY(query.exec());
            }

            // pg_dump over the same verify-full TLS connection: no marker in the dump.
            QProcess dump;
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            environment.insert(QStringLiteral("PGPASSFILE"), writePgpass(cluster));
            dump.setProcessEnvironment(environment);
            dump.start(QStringLiteral("/usr/lib/postgresql/15/bin/pg_dump"),
                       {QStringLiteral("--dbname=host=localhost port=%1 dbname=%2 user=%3 sslmode=verify-full "
                                       "sslrootcert=%4")
                            .arg(cluster.port())
                            .arg(cluster.database(), cluster.user(), cluster.caCertificate()),
                        QStringLiteral("--table=cells")});
            QVERIFY(dump.waitForFinished(120000));
            const QByteArray dumped = dump.readAllStandardOutput();
            QVERIFY2(dump.exitCode() == 0, dump.readAllStandardError().constData());
            QVERIFY(dumped.contains("COPY public.cells"));
            QVERIFY(!dumped.contains(MARKER));
            QVERIFY(!dumped.contains(MARKER.toHex()));

            auto read = [&](const QString& id) -> Result<QByteArray> {
                QSqlQuery select(db);
                if (!select.prepare(QStringLiteral("SELECT payload FROM cells WHERE id = ?")))
                    return fail(ErrorCode::Storage, select.lastError().text());
                select.addBindValue(id);
                if (!select.exec() || !select.next())
                    return fail(ErrorCode::Storage, select.lastError().text());
                return cipher.open(select.value(0).toByteArray(),
                                   {QStringLiteral("cells"), QStringLiteral("payload"), id});
            };
            QCOMPARE(read(QStringLiteral("req_2")).value_or(QByteArray()), MARKER + " req_2");

            // Someone with write access to the database copies req_1's ciphertext over req_2's.
            QVERIFY(query.exec(QStringLiteral(
                "UPDATE cells SET payload = (SELECT payload FROM cells WHERE id = 'req_1') WHERE id = 'req_2'")));
            auto swapped = read(QStringLiteral("req_2"));
            QVERIFY(!swapped);
            QCOMPARE(test::errorCode(swapped), ErrorCode::Integrity);
            QVERIFY2(swapped.error().message.contains(QStringLiteral("cells.payload of row req_2")),
                     qPrintable(swapped.error().message));
            QCOMPARE(read(QStringLiteral("req_1")).value_or(QByteArray()), MARKER + " req_1");
        }
        QSqlDatabase::removeDatabase(name);
    }

    void unwrapsDataKeyWithTeamPassphraseOnly()
    {
        const ColumnCipher cipher = ColumnCipher::generate();
        auto wrapped =
            DataKeyWrap::wrapWithPassphrase(cipher.key(), test::secure(test::PASSPHRASE), crypto::KdfParams::fast());
        QVERIFY2(wrapped, wrapped ? "" : qPrintable(wrapped.error().message));
        QVERIFY(!wrapped->contains(QByteArray::fromRawData(reinterpret_cast<const char*>(cipher.key().data()),
                                                           static_cast<qsizetype>(cipher.key().size()))
                                       .toBase64()));

        auto unwrapped = DataKeyWrap::unwrapWithPassphrase(*wrapped, test::secure(test::PASSPHRASE));
        QVERIFY2(unwrapped, unwrapped ? "" : qPrintable(unwrapped.error().message));
        QVERIFY(crypto::constantTimeEqual(unwrapped->view(), cipher.key().view()));
        // The unwrapped key opens what the original sealed.
        auto reopened = ColumnCipher::fromKey(std::move(*unwrapped));
        QVERIFY(reopened);
        QCOMPARE(reopened->open(cipher.seal(MARKER, PAYLOAD_OF_REQ_1), PAYLOAD_OF_REQ_1).value_or(QByteArray()),
                 MARKER);

        auto wrong = DataKeyWrap::unwrapWithPassphrase(*wrapped, test::secure(test::OTHER_PASSPHRASE));
        QVERIFY(!wrong);
        QCOMPARE(test::errorCode(wrong), ErrorCode::WrongPassphrase);
        QVERIFY2(wrong.error().message.contains(QStringLiteral("team passphrase does not open")),
                 qPrintable(wrong.error().message));
    }

    void refusesWrappedKeyWithAlteredDerivationParameters()
    {
        const ColumnCipher cipher = ColumnCipher::generate();
        auto wrapped =
            DataKeyWrap::wrapWithPassphrase(cipher.key(), test::secure(test::PASSPHRASE), crypto::KdfParams::fast());
        QVERIFY(wrapped);
        // Whoever can write the database lowers the cost stored beside the key: the right
        // passphrase no longer opens it, rather than a cheaper derivation being accepted.
        QJsonObject document = QJsonDocument::fromJson(*wrapped).object();
        QJsonObject kdf = document.value(QStringLiteral("kdf")).toObject();
        kdf.insert(QStringLiteral("ops_limit"), kdf.value(QStringLiteral("ops_limit")).toInt() + 1);
        document.insert(QStringLiteral("kdf"), kdf);
        auto opened = DataKeyWrap::unwrapWithPassphrase(QJsonDocument(document).toJson(QJsonDocument::Compact),
                                                        test::secure(test::PASSPHRASE));
        QVERIFY(!opened);
        QCOMPARE(test::errorCode(opened), ErrorCode::WrongPassphrase);
    }

    void teamPassphraseParametersAreReadableBack()
    {
        // A key wrapped at the team's cost must pass the bounds applied when it is read again.
        const crypto::KdfParams params = DataKeyWrap::passphraseParams();
        QCOMPARE(params.opsLimit, quint64{crypto_pwhash_OPSLIMIT_MODERATE});
        QCOMPARE(params.memLimit, std::size_t{crypto_pwhash_MEMLIMIT_MODERATE});
        auto reread = crypto::KdfParams::fromJson(params.toJson());
        QVERIFY2(reread, reread ? "" : qPrintable(reread.error().message));
        QCOMPARE(reread->memLimit, params.memLimit);
    }

    void unwrapsDataKeyWithCredentialKey()
    {
        CredentialsDirectory credentials;
        QVERIFY(credentials.write(QStringLiteral("team-key"), crypto::randomBytes(32), QFileDevice::ReadOwner));
        auto wrappingKey = DataKeyWrap::readWrappingKeyCredential(QStringLiteral("team-key"));
        QVERIFY2(wrappingKey, wrappingKey ? "" : qPrintable(wrappingKey.error().message));
        const ColumnCipher cipher = ColumnCipher::generate();
        auto wrapped = DataKeyWrap::wrapWithKey(cipher.key(), *wrappingKey);
        QVERIFY(wrapped);
        auto unwrapped = DataKeyWrap::unwrapWithKey(*wrapped, *wrappingKey);
        QVERIFY(unwrapped);
        QVERIFY(crypto::constantTimeEqual(unwrapped->view(), cipher.key().view()));

        auto other = DataKeyWrap::unwrapWithKey(*wrapped, crypto::SecureBuffer::copyOf(crypto::randomBytes(32)));
        QVERIFY(!other);
        QCOMPARE(test::errorCode(other), ErrorCode::WrongPassphrase);
        // A passphrase-wrapped key is not opened with a raw key, nor the other way round.
        auto mixed = DataKeyWrap::unwrapWithPassphrase(*wrapped, test::secure(test::PASSPHRASE));
        QVERIFY(!mixed);
        QCOMPARE(test::errorCode(mixed), ErrorCode::InvalidArgument);
    }

    void refusesUnfitCredential()
    {
        CredentialsDirectory credentials;
        QVERIFY(credentials.write(QStringLiteral("short"), crypto::randomBytes(16), QFileDevice::ReadOwner));
        QVERIFY(credentials.write(QStringLiteral("shared"), crypto::randomBytes(32),
                                  QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther));
        auto shortKey = DataKeyWrap::readWrappingKeyCredential(QStringLiteral("short"));
        QVERIFY(!shortKey);
        QCOMPARE(test::errorCode(shortKey), ErrorCode::InvalidArgument);
        QVERIFY2(shortKey.error().message.contains(QStringLiteral("exactly 32 raw bytes")),
                 qPrintable(shortKey.error().message));
        auto shared = DataKeyWrap::readWrappingKeyCredential(QStringLiteral("shared"));
        QVERIFY(!shared);
        QCOMPARE(test::errorCode(shared), ErrorCode::PermissionDenied);
        auto escape = DataKeyWrap::readWrappingKeyCredential(QStringLiteral("../etc/passwd"));
        QVERIFY(!escape);
        QCOMPARE(test::errorCode(escape), ErrorCode::InvalidArgument);
    }

private:
    static QString writePgpass(const test::PgCluster& cluster)
    {
        // pg_dump reads its password from a .pgpass-format file (never argv): host:port:db:user:password.
        QFile source(cluster.passwordFile());
        if (!source.open(QIODevice::ReadOnly))
            return {};
        const QByteArray password = source.readLine().trimmed();
        const QString path = cluster.passwordFile() + QStringLiteral(".pgpass");
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write("*:*:*:*:" + password + '\n');
        file.close();
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return path;
    }
};

QTEST_GUILESS_MAIN(TestTeamCrypto)
#include "tst_teamcrypto.moc"
