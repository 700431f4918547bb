#include "shell/appearance.h"
#include "shell/unlockdialog.h"
#include "testsupport.h"

#include <QHash>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

/// The contrast of the text \a label draws against its background, as painted (style sheets
/// included): the pixel farthest from the most common one (the background) is the ink.
double inkContrast(QLabel* label)
{
    const QImage image = label->grab(label->contentsRect()).toImage();
    QHash<QRgb, int> counts;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            ++counts[image.pixel(x, y)];
    }
    QRgb background = 0;
    for (auto it = counts.constBegin(); it != counts.constEnd(); ++it) {
        if (it.value() > counts.value(background))
            background = it.key();
    }
    double best = 1;
    for (auto it = counts.constBegin(); it != counts.constEnd(); ++it)
        best = std::max(best, ui::contrastRatio(QColor(it.key()), QColor(background)));
    return best;
}

} // namespace

class TestUnlockDialog final : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir; // one per test function
    QString m_vaultDir;

private Q_SLOTS:
    // Each test function gets a directory, a vault and what runs on it of its own, so each
    // passes when run alone.
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_vaultDir = m_dir->filePath(QStringLiteral("vault"));
        QVERIFY(test::createVault(m_vaultDir));
    }

    void cleanup() { m_dir.reset(); }

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

    void aWrongPassphraseReadsInBothPalettes()
    {
        for (const ui::ColorScheme scheme : {ui::ColorScheme::Light, ui::ColorScheme::Dark}) {
            ui::applyColorScheme(scheme);
            ui::UnlockDialog dialog(m_vaultDir);
            dialog.show();
            QVERIFY(QTest::qWaitForWindowExposed(&dialog));
            auto* field = dialog.findChild<QLineEdit*>(QStringLiteral("passphrase"));
            auto* error = dialog.findChild<QLabel*>(QStringLiteral("errorLabel"));
            QTest::keyClicks(field, QStringLiteral("not the passphrase"));
            QTest::keyClick(field, Qt::Key_Return);
            QTRY_VERIFY(error->isVisible());
            // WCAG 2.1 SC 1.4.3: at least 4.5:1, and not said by colour alone.
            const double contrast = inkContrast(error);
            QVERIFY2(contrast >= 4.5,
                     qPrintable(QStringLiteral("%1 palette: %2:1").arg(ui::colorSchemeName(scheme)).arg(contrast)));
            QCOMPARE(error->accessibleDescription(), QStringLiteral("Error"));
        }
        ui::applyColorScheme(ui::ColorScheme::System);
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
