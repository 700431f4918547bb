// The desktop session without its window (ui::SessionController) on a real vault: locking and
// unlocking, locking by itself when idle, and the re-key sequence.
#include "application/instance.h"
#include "approvals/requestservice.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "evidence/auditentry.h"
#include "http/endpointsettings.h"
#include "http/endpointthread.h"
#include "shell/sessioncontroller.h"
#include "testsupport.h"
#include "vault/vault.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

/// The actions of the audit entries whose action starts with \a prefix, oldest first.
QStringList actionsStartingWith(audit::AuditLog& log, const QString& prefix)
{
    QStringList actions;
    const auto last = log.lastSeq();
    if (!last)
        return actions;
    const auto entries = log.entries(1, static_cast<int>(*last));
    if (!entries)
        return actions;
    for (const audit::AuditEntry& entry : *entries) {
        if (entry.action.startsWith(prefix))
            actions << entry.action;
    }
    return actions;
}

} // namespace

class TestSessionController final : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    std::unique_ptr<ui::SessionController> openSession()
    {
        http::EndpointSettings settings;
        settings.port = 0;
        settings.localSocketPath.clear();
        auto instance = test::openInstance(test::createVault(m_dir.path()), settings);
        if (!instance)
            return nullptr;
        return std::make_unique<ui::SessionController>(std::move(instance));
    }

    int m_runtimes = 0;

    /// A pending request created through \a session's services (by a runtime of its own); its id.
    QString ask(ui::SessionController& session, const QString& summary)
    {
        const auto runtime = test::registerRuntime(*session.services(), QStringLiteral("ci-%1").arg(++m_runtimes),
                                                   {QStringLiteral("deploy.*")});
        return test::createRequest(session.services()->requests(), runtime, summary, QStringLiteral("low"));
    }

private Q_SLOTS:
    void init()
    {
        // A vault of its own for every function.
        QVERIFY(m_dir.remove());
        m_dir = QTemporaryDir();
        QVERIFY(m_dir.isValid());
    }

    void unlockTakesOnlyTheVaultsPassphrase()
    {
        auto session = openSession();
        QVERIFY(session);
        QVERIFY(!session->isLocked());
        QVERIFY(!ask(*session, QStringLiteral("waits")).isEmpty());
        QSignalSpy locked(session.get(), &ui::SessionController::lockedChanged);

        session->lock();
        QVERIFY(session->isLocked());
        QCOMPARE(locked.count(), 1);
        QCOMPARE(locked.at(0).at(0).toBool(), true);
        session->lock(); // locked already: nothing more happens
        QCOMPARE(locked.count(), 1);

        QCOMPARE(test::errorCode(session->unlock(test::OTHER_PASSPHRASE)), ErrorCode::WrongPassphrase);
        QVERIFY(session->isLocked());
        QCOMPARE(locked.count(), 1);
        VERIFY_RESULT(session->unlock(test::PASSPHRASE));
        QVERIFY(!session->isLocked());
        QCOMPARE(locked.count(), 2);
        QCOMPARE(locked.at(1).at(0).toBool(), false);

        // Each is audited; the lock says how many requests waited.
        audit::AuditLog& log = session->vault().audit();
        QCOMPARE(actionsStartingWith(log, QStringLiteral("desktop.")),
                 QStringList({QStringLiteral("desktop.lock"), QStringLiteral("desktop.unlock")}));
        const auto entries = log.entries(1, static_cast<int>(log.lastSeq().value_or(0)));
        VERIFY_RESULT(entries);
        for (const audit::AuditEntry& entry : *entries) {
            if (entry.action == u"desktop.lock")
                QCOMPARE(QJsonDocument::fromJson(entry.details).object().value(QStringLiteral("pending")).toInt(), 1);
        }
        // The wrong passphrase was noted beside the vault, as a failed unlock is.
        QVERIFY(QFile::exists(QDir(m_dir.path()).filePath(vault::Vault::FAILED_UNLOCKS_FILE)));
    }

    void lockingClearsTheSessionUntilTheNextUnlock()
    {
        auto session = openSession();
        QVERIFY(session);
        VERIFY_RESULT(session->startEndpoint());
        QSignalSpy locked(session.get(), &ui::SessionController::lockedChanged);
        QSignalSpy closing(session.get(), &ui::SessionController::servicesClosing);
        // Idle: no activity for the timeout locks by itself.
        session->setIdleTimeout(std::chrono::milliseconds(200));
        QTRY_VERIFY_WITH_TIMEOUT(session->isLocked(), 10000);
        QCOMPARE(locked.count(), 1);
        // Locked, nothing the session holds can be changed: not the passphrase...
        QCOMPARE(test::errorCode(
                     session->changePassphrase(test::PASSPHRASE, test::OTHER_PASSPHRASE, crypto::KdfParams::fast())),
                 ErrorCode::PermissionDenied);
        QCOMPARE(closing.count(), 0);
        VERIFY_RESULT(vault::Vault::verifyPassphrase(m_dir.path(), test::secure(test::PASSPHRASE)));
        // ...while runtimes are still served: their requests wait in the queue.
        QVERIFY(session->instance().isServing());
        QVERIFY(session->services());
        QVERIFY(!ask(*session, QStringLiteral("while locked")).isEmpty());

        // Activity keeps an unlocked session unlocked.
        session->setIdleTimeout(std::chrono::milliseconds(0));
        VERIFY_RESULT(session->unlock(test::PASSPHRASE));
        session->setIdleTimeout(std::chrono::milliseconds(1500));
        for (int i = 0; i < 6; ++i) {
            QTest::qWait(300);
            session->noteActivity();
        }
        QVERIFY(!session->isLocked());
    }

    void reKeyingKeepsTheDataAndRetiresTheOldPassphrase()
    {
        auto session = openSession();
        QVERIFY(session);
        const QString id = ask(*session, QStringLiteral("asked before"));
        QVERIFY(!id.isEmpty());
        VERIFY_RESULT(session->startEndpoint());
        const quint16 port = session->instance().endpoint().port();
        QSignalSpy closing(session.get(), &ui::SessionController::servicesClosing);
        QSignalSpy opened(session.get(), &ui::SessionController::servicesOpened);
        QSignalSpy changed(session.get(), &ui::SessionController::passphraseChanged);
        // The views drop their references while the services are closed.
        bool servicesGoneWhenClosing = false;
        connect(session.get(), &ui::SessionController::servicesClosing, this,
                [&] { servicesGoneWhenClosing = session->services() == nullptr; });

        // The current passphrase first: a wrong one changes nothing and closes nothing.
        QCOMPARE(test::errorCode(session->changePassphrase(test::OTHER_PASSPHRASE, test::OTHER_PASSPHRASE,
                                                           crypto::KdfParams::fast())),
                 ErrorCode::WrongPassphrase);
        QCOMPARE(closing.count(), 0);

        VERIFY_RESULT(session->changePassphrase(test::PASSPHRASE, test::OTHER_PASSPHRASE, crypto::KdfParams::fast()));
        QCOMPARE(closing.count(), 1);
        QVERIFY(!servicesGoneWhenClosing); // announced before they go
        QCOMPARE(opened.count(), 1);
        QCOMPARE(changed.count(), 1);
        // The data is all there, served where it was.
        QVERIFY(session->services());
        QCOMPARE(test::stored(session->services()->requests(), id).summary, QStringLiteral("asked before"));
        QVERIFY(session->instance().isServing());
        QCOMPARE(session->instance().endpoint().port(), port);
        QVERIFY(!ask(*session, QStringLiteral("asked after")).isEmpty());

        // The old passphrase no longer unlocks; the new one does.
        session->lock();
        QCOMPARE(test::errorCode(session->unlock(test::PASSPHRASE)), ErrorCode::WrongPassphrase);
        VERIFY_RESULT(session->unlock(test::OTHER_PASSPHRASE));
        session.reset();
        QCOMPARE(test::errorCode(vault::Vault::open(m_dir.path(), test::secure(test::PASSPHRASE))),
                 ErrorCode::WrongPassphrase);
        auto reopened = test::openVault(m_dir.path(), test::OTHER_PASSPHRASE);
        QVERIFY(reopened);
        QVERIFY(actionsStartingWith(reopened->audit(), QStringLiteral("vault.passphrase_changed")).size() == 1);
    }
};

QTEST_GUILESS_MAIN(TestSessionController)
#include "tst_sessioncontroller.moc"
