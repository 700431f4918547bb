#include "shell/firstrunwizard.h"
#include "testsupport.h"

#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

class TestFirstRunWizard final : public QObject {
    Q_OBJECT
private:
    template <typename T> static T* child(QWidget& parent, const char* name)
    {
        return parent.findChild<T*>(QString::fromLatin1(name));
    }

private Q_SLOTS:
    void refusesWeakAndMismatchedPassphrases()
    {
        QTemporaryDir dir;
        ui::FirstRunWizard wizard(dir.filePath(QStringLiteral("vault")));
        wizard.setKdfParams(crypto::KdfParams::fast());
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        auto* create = child<QPushButton>(wizard, "createButton");
        auto* meter = child<QProgressBar>(wizard, "strengthMeter");
        auto* hint = child<QLabel>(wizard, "strengthHint");
        QVERIFY(create && meter && hint);
        QVERIFY(!create->isEnabled());

        QTest::keyClicks(child<QLineEdit>(wizard, "ownerName"), QStringLiteral("Ada"));
        QTest::keyClicks(child<QLineEdit>(wizard, "passphrase"), QStringLiteral("password1"));
        QTest::keyClicks(child<QLineEdit>(wizard, "repeatPassphrase"), QStringLiteral("password1"));
        QVERIFY(!create->isEnabled());
        QVERIFY2(hint->text().contains(QStringLiteral("too short")), qPrintable(hint->text()));
        QVERIFY(meter->value() <= 1);
        const int weakScore = meter->value();

        child<QLineEdit>(wizard, "passphrase")->clear();
        QTest::keyClicks(child<QLineEdit>(wizard, "passphrase"), test::PASSPHRASE);
        QVERIFY(meter->value() > weakScore);
        QVERIFY(!create->isEnabled()); // the repeat field still says password1
        auto* error = child<QLabel>(wizard, "errorLabel");
        QVERIFY(error->isVisible());
        QVERIFY(error->text().contains(QStringLiteral("differ")));

        QTest::mouseClick(create, Qt::LeftButton);
        QVERIFY(!vault::Vault::exists(dir.filePath(QStringLiteral("vault"))));
    }

    void theMeterKnowsCommonWordsAndTheOwnersName()
    {
        QTemporaryDir dir;
        ui::FirstRunWizard wizard(dir.filePath(QStringLiteral("vault")));
        wizard.setKdfParams(crypto::KdfParams::fast());
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        auto* create = child<QPushButton>(wizard, "createButton");
        auto* meter = child<QProgressBar>(wizard, "strengthMeter");
        auto* hint = child<QLabel>(wizard, "strengthHint");
        auto* passphrase = child<QLineEdit>(wizard, "passphrase");
        auto* repeat = child<QLineEdit>(wizard, "repeatPassphrase");
        QTest::keyClicks(child<QLineEdit>(wizard, "ownerName"), QStringLiteral("Grace Hopper"));
        for (const QString& weak : {QStringLiteral("correct horse battery"), QStringLiteral("Summer2026!Summer2026!"),
                                    QStringLiteral("Grace Hopper Grace Hopper 1906")}) {
            passphrase->clear();
            repeat->clear();
            QTest::keyClicks(passphrase, weak);
            QTest::keyClicks(repeat, weak);
            QVERIFY2(meter->value() <= 1, qPrintable(weak + u": " + hint->text()));
            QVERIFY2(!hint->text().contains(QStringLiteral("strong"), Qt::CaseInsensitive), qPrintable(hint->text()));
            QVERIFY(!create->isEnabled());
        }
        // Another owner's name is only words: the same passphrase is fine for Ada.
        child<QLineEdit>(wizard, "ownerName")->clear();
        QTest::keyClicks(child<QLineEdit>(wizard, "ownerName"), QStringLiteral("Ada"));
        QVERIFY2(create->isEnabled(), qPrintable(hint->text()));
    }

    void createsTheVault()
    {
        QTemporaryDir dir;
        const QString vaultDir = dir.filePath(QStringLiteral("vault"));
        ui::FirstRunWizard wizard(vaultDir);
        wizard.setKdfParams(crypto::KdfParams::fast());
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        QTest::keyClicks(child<QLineEdit>(wizard, "ownerName"), QStringLiteral("Ada Lovelace"));
        QTest::keyClicks(child<QLineEdit>(wizard, "passphrase"), test::PASSPHRASE);
        QTest::keyClicks(child<QLineEdit>(wizard, "repeatPassphrase"), test::PASSPHRASE);
        auto* create = child<QPushButton>(wizard, "createButton");
        QVERIFY(create->isEnabled());
        QTest::mouseClick(create, Qt::LeftButton);
        QTRY_COMPARE(wizard.result(), int(QDialog::Accepted));
        QVERIFY(vault::Vault::exists(vaultDir));
        auto vault = wizard.takeVault();
        QVERIFY(vault);
        QCOMPARE(vault->ownerName(), QStringLiteral("Ada Lovelace"));
        QVERIFY(child<QLineEdit>(wizard, "passphrase")->text().isEmpty());
        vault.reset();
        QVERIFY(test::openVault(vaultDir));
    }

    void existingVaultIsReportedInline()
    {
        QTemporaryDir dir;
        const QString vaultDir = dir.filePath(QStringLiteral("vault"));
        QVERIFY(test::createVault(vaultDir));
        ui::FirstRunWizard wizard(vaultDir);
        wizard.setKdfParams(crypto::KdfParams::fast());
        wizard.show();
        QTest::keyClicks(child<QLineEdit>(wizard, "ownerName"), QStringLiteral("Eve"));
        QTest::keyClicks(child<QLineEdit>(wizard, "passphrase"), test::OTHER_PASSPHRASE);
        QTest::keyClicks(child<QLineEdit>(wizard, "repeatPassphrase"), test::OTHER_PASSPHRASE);
        QTest::mouseClick(child<QPushButton>(wizard, "createButton"), Qt::LeftButton);
        auto* error = child<QLabel>(wizard, "errorLabel");
        QVERIFY(error->isVisible());
        QVERIFY2(error->text().contains(QStringLiteral("already exists")), qPrintable(error->text()));
        QVERIFY(wizard.isVisible());
        QVERIFY(!wizard.takeVault());
    }
};

QTEST_MAIN(TestFirstRunWizard)
#include "tst_firstrunwizard.moc"
