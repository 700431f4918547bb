// The running app as every front end builds it (application::Instance): it serves runtimes once
// started, and taking it down releases the vault for the next process or instance.
#include "appfixture.h"
#include "application/instance.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/checkpointsigner.h"
#include "http/endpointsettings.h"
#include "http/endpointthread.h"
#include "testsupport.h"
#include "vault/vault.h"
#include "vault/vaultlock.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

http::EndpointSettings loopbackOnly()
{
    http::EndpointSettings settings;
    settings.port = 0;
    settings.localSocketPath.clear();
    return settings;
}

/// One exchange with the endpoint at \a port over loopback TCP; the raw answer.
QByteArray exchange(quint16 port, const QByteArray& method, const QByteArray& path, const QByteArray& token,
                    const QByteArray& body = {})
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(10000))
        return {};
    return test::httpExchange(socket, method, path, "127.0.0.1:" + QByteArray::number(port), token, body);
}

} // namespace

class TestInstance final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void startedItServesRuntimes()
    {
        QTemporaryDir dir;
        auto instance = test::openInstance(test::createVault(dir.path()), loopbackOnly());
        QVERIFY(instance);
        QVERIFY(instance->services());
        // Built, not yet serving.
        QVERIFY(!instance->isServing());
        QVERIFY(instance->runtimeAddress().isEmpty());
        auto token = instance->services()->runtimes().registerRuntime(
            QStringLiteral("ci"), {QStringLiteral("deploy.*")}, QStringLiteral("member:owner"));
        VERIFY_RESULT(token);

        VERIFY_RESULT(instance->startEndpoint());
        QVERIFY(instance->isServing());
        QVERIFY(!instance->endpointProblem());
        const quint16 port = instance->endpoint().port();
        QVERIFY(port != 0);
        QCOMPARE(instance->runtimeAddress(), QStringLiteral("http://127.0.0.1:%1").arg(port));
        const QByteArray created =
            exchange(port, "POST", "/v1/requests", token->toLatin1(),
                     QJsonDocument(QJsonObject{{QStringLiteral("capability"), QStringLiteral("deploy.web")},
                                               {QStringLiteral("summary"), QStringLiteral("Deploy web")},
                                               {QStringLiteral("risk"), QStringLiteral("low")}})
                         .toJson(QJsonDocument::Compact));
        QVERIFY2(created.startsWith("HTTP/1.1 201"), created.constData());
        // What the endpoint's thread stored, this thread's services read.
        const QByteArray body = created.mid(created.indexOf("\r\n\r\n") + 4);
        const QString id = QJsonDocument::fromJson(body).object().value(QStringLiteral("id")).toString();
        QVERIFY(!id.isEmpty());
        QCOMPARE(test::stored(instance->services()->requests(), id).summary, QStringLiteral("Deploy web"));

        instance->stopEndpoint();
        QVERIFY(!instance->isServing());
        QVERIFY(exchange(port, "GET", "/v1/health", {}).isEmpty());
    }

    void aVaultThatMustNotServeIsNotServed()
    {
        QTemporaryDir dir;
        auto instance = test::openInstance(test::createVault(dir.path()), loopbackOnly());
        QVERIFY(instance);
        // A checkpoint left the vault, then its file went missing: a restored older copy could no
        // longer be told from the vault itself, so spent approvals could be consumed again.
        VERIFY_RESULT(instance->services()->checkpoints().sign());
        QVERIFY(QFile::remove(instance->vault().checkpointFilePath()));
        QCOMPARE(test::errorCode(instance->checkBeforeServing()), ErrorCode::Integrity);
        const auto started = instance->startEndpoint();
        QCOMPARE(test::errorCode(started), ErrorCode::Integrity);
        QVERIFY(!instance->isServing());
        QVERIFY(instance->runtimeAddress().isEmpty());
        QVERIFY(instance->endpointProblem());
        QCOMPARE(instance->endpointProblem()->message, started.error().message);
    }

    void takenDownItReleasesTheVaultForTheNext()
    {
        QTemporaryDir dir;
        auto first = test::openInstance(test::createVault(dir.path()), loopbackOnly());
        QVERIFY(first);
        VERIFY_RESULT(first->startEndpoint());
        const auto runtime =
            test::registerRuntime(*first->services(), QStringLiteral("ci"), {QStringLiteral("deploy.*")});
        const QString id =
            test::createRequest(first->services()->requests(), runtime, QStringLiteral("kept"), QStringLiteral("low"));
        QVERIFY(!id.isEmpty());
        // While it runs, nobody may take the vault for themselves (a re-key would replace the
        // database under its connections).
        QCOMPARE(test::errorCode(vault::VaultLock::acquire(dir.path(), vault::VaultLock::Mode::Exclusive)),
                 ErrorCode::Conflict);

        first.reset(); // the endpoint, the services, the vault: nothing of it holds the lock now
        {
            auto alone = vault::VaultLock::acquire(dir.path(), vault::VaultLock::Mode::Exclusive);
            VERIFY_RESULT(alone);
        }
        auto second = application::Instance::unlock(dir.path(), test::secure(test::PASSPHRASE), loopbackOnly());
        VERIFY_RESULT(second);
        VERIFY_RESULT((*second)->startEndpoint());
        QCOMPARE(test::stored((*second)->services()->requests(), id).summary, QStringLiteral("kept"));
    }

    void twoInstancesOnOneVaultKeepWhatIsTheirs()
    {
        // A second endpoint on the same vault directory, in the same process (as the tests run
        // one with other limits): each Instance keeps its own connections.
        test::AppFixture app;
        QVERIFY(app.open(loopbackOnly()));
        application::Instance& first = app.instance();
        VERIFY_RESULT(first.startEndpoint());
        auto second = test::openInstance(test::openVault(app.filePath(QStringLiteral("vault"))), loopbackOnly());
        QVERIFY(second);
        VERIFY_RESULT(second->startEndpoint());
        QVERIFY(second->endpoint().port() != first.endpoint().port());
        const QString id = test::createRequest(first.services()->requests(), app.runtime(), QStringLiteral("first"),
                                               QStringLiteral("low"));
        QVERIFY(!id.isEmpty());
        QCOMPARE(test::stored(second->services()->requests(), id).summary, QStringLiteral("first"));

        second.reset();
        QVERIFY(first.isServing());
        QCOMPARE(test::stored(first.services()->requests(), id).summary, QStringLiteral("first"));
        const QByteArray health = exchange(first.endpoint().port(), "GET", "/v1/health", {});
        QVERIFY2(health.startsWith("HTTP/1.1 200"), health.constData());
    }

    void reKeyingBringsServicesAndEndpointBack()
    {
        QTemporaryDir dir;
        auto instance = test::openInstance(test::createVault(dir.path()), loopbackOnly());
        QVERIFY(instance);
        const auto runtime =
            test::registerRuntime(*instance->services(), QStringLiteral("ci"), {QStringLiteral("deploy.*")});
        const QString id = test::createRequest(instance->services()->requests(), runtime, QStringLiteral("kept"),
                                               QStringLiteral("low"));
        VERIFY_RESULT(instance->startEndpoint());
        const quint16 port = instance->endpoint().port();

        VERIFY_RESULT(instance->changePassphrase(test::secure(test::OTHER_PASSPHRASE), crypto::KdfParams::fast()));
        QVERIFY(instance->services());
        QCOMPARE(test::stored(instance->services()->requests(), id).summary, QStringLiteral("kept"));
        QVERIFY(instance->isServing());
        QCOMPARE(instance->endpoint().port(), port); // where runtimes already look
        QCOMPARE(test::errorCode(vault::Vault::verifyPassphrase(dir.path(), test::secure(test::PASSPHRASE))),
                 ErrorCode::WrongPassphrase);

        // A refused re-key (too weak) leaves everything as it was, serving.
        QCOMPARE(test::errorCode(
                     instance->changePassphrase(test::secure(QStringLiteral("short")), crypto::KdfParams::fast())),
                 ErrorCode::WeakPassphrase);
        QVERIFY(instance->services());
        QVERIFY(instance->isServing());
        VERIFY_RESULT(vault::Vault::verifyPassphrase(dir.path(), test::secure(test::OTHER_PASSPHRASE)));
    }

    void aWrongPassphraseBuildsNothing()
    {
        QTemporaryDir dir;
        QVERIFY(test::createVault(dir.path()));
        QCOMPARE(test::errorCode(
                     application::Instance::unlock(dir.path(), test::secure(test::OTHER_PASSPHRASE), loopbackOnly())),
                 ErrorCode::WrongPassphrase);
        QCOMPARE(test::errorCode(application::Instance::open(nullptr, loopbackOnly())), ErrorCode::InvalidArgument);
    }
};

QTEST_GUILESS_MAIN(TestInstance)
#include "tst_instance.moc"
