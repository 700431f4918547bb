#include "audit/auditlog.h"
#include "mainwindow.h"
#include "testsupport.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

class TestMainWindow final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("CountersignTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    }

    void showsTheVaultAndVerifiesItsChain()
    {
        QTemporaryDir dir;
        auto vault = test::createVault(dir.filePath(QStringLiteral("vault")), QStringLiteral("Grace Hopper"));
        QVERIFY(vault);
        const qint64 entries = *vault->audit().count();
        ui::MainWindow window(std::move(vault));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.findChild<QLabel*>(QStringLiteral("ownerValue"))->text(), QStringLiteral("Grace Hopper"));
        QCOMPARE(window.findChild<QLabel*>(QStringLiteral("entriesValue"))->text(), QLocale().toString(entries));
        auto* result = window.findChild<QLabel*>(QStringLiteral("verifyResult"));
        QTest::mouseClick(window.findChild<QPushButton*>(QStringLiteral("verifyButton")), Qt::LeftButton);
        QVERIFY2(result->text().contains(QStringLiteral("verified")), qPrintable(result->text()));

        // Tamper, then the same button names the broken entry.
        QSqlQuery query(window.vault()->database());
        QVERIFY(query.exec(QStringLiteral("DROP TRIGGER audit_log_no_update")));
        QVERIFY(query.exec(QStringLiteral("UPDATE audit_log SET subject = 'forged' WHERE seq = 1")));
        QTest::mouseClick(window.findChild<QPushButton*>(QStringLiteral("verifyButton")), Qt::LeftButton);
        QVERIFY2(result->text().contains(QStringLiteral("Broken at entry 1 (hash)")), qPrintable(result->text()));
    }

    void ctrlLLocksAndReleasesTheVault()
    {
        QTemporaryDir dir;
        const QString vaultDir = dir.filePath(QStringLiteral("vault"));
        auto vault = test::createVault(vaultDir);
        QVERIFY(vault);
        ui::MainWindow window(std::move(vault));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy locked(&window, &ui::MainWindow::locked);
        QTest::keyClick(&window, Qt::Key_L, Qt::ControlModifier);
        QTRY_COMPARE(locked.count(), 1);
        QVERIFY(!window.vault());
        QVERIFY(!window.isVisible());
        // Released: the vault's connection is closed, so a fresh unlock works.
        QVERIFY(test::openVault(vaultDir));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
