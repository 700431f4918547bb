#include "testsupport.h"
#include "unlockdialog.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

class TestUnlockDialog final : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_vaultDir;

private Q_SLOTS:
    void initTestCase()
    {
        m_vaultDir = m_dir.filePath(QStringLiteral("vault"));
        QVERIFY(test::createVault(m_vaultDir));
    }

    void wrongThenRightPassphrase()
    {
        ui::UnlockDialog dialog(m_vaultDir);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* field = dialog.findChild<QLineEdit*>(QStringLiteral("passphrase"));
        auto* unlock = dialog.findChild<QPushButton*>(QStringLiteral("unlockButton"));
        auto* error = dialog.findChild<QLabel*>(QStringLiteral("errorLabel"));
        QVERIFY(field && unlock && error);
        QVERIFY(!unlock->isEnabled());

        QTest::keyClicks(field, QStringLiteral("not the passphrase"));
        QTest::keyClick(field, Qt::Key_Return);
        QTRY_VERIFY(error->isVisible());
        QVERIFY2(error->text().contains(QStringLiteral("Wrong passphrase")), qPrintable(error->text()));
        QVERIFY(dialog.isVisible());
        QVERIFY(field->text().isEmpty());
        QVERIFY(field->hasFocus());
        QVERIFY(!dialog.takeVault());

        QTest::keyClicks(field, test::PASSPHRASE);
        QTest::mouseClick(unlock, Qt::LeftButton);
        QTRY_COMPARE(dialog.result(), int(QDialog::Accepted));
        auto vault = dialog.takeVault();
        QVERIFY(vault);
        QCOMPARE(vault->ownerName(), QStringLiteral("Ada"));
    }

    void cancelYieldsNoVault()
    {
        ui::UnlockDialog dialog(m_vaultDir);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTest::keyClicks(dialog.findChild<QLineEdit*>(QStringLiteral("passphrase")), test::PASSPHRASE);
        QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("cancelButton")), Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY(!dialog.isVisible());
        QVERIFY(!dialog.takeVault());
    }
};

QTEST_MAIN(TestUnlockDialog)
#include "tst_unlockdialog.moc"
