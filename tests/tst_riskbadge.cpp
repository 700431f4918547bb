#include "common/riskbadge.h"
#include "shell/appearance.h"

#include <QApplication>
#include <QPainter>
#include <QPalette>
#include <QTest>

#include <algorithm>

using namespace countersign;

namespace {

constexpr policy::Risk RISKS[] = {policy::Risk::Low, policy::Risk::Medium, policy::Risk::High, policy::Risk::Critical};

/// Where \a icon is drawn at 32 pixels: its shape without its colours.
QImage shapeOf(const QIcon& icon)
{
    return icon.pixmap(QSize(32, 32), 1.0).toImage().convertToFormat(QImage::Format_Alpha8);
}

} // namespace

class TestRiskBadge final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void badgeWordsReadOnTheirFill_data()
    {
        QTest::addColumn<int>("scheme");
        QTest::newRow("light") << static_cast<int>(ui::ColorScheme::Light);
        QTest::newRow("dark") << static_cast<int>(ui::ColorScheme::Dark);
    }

    void badgeWordsReadOnTheirFill()
    {
        QFETCH(int, scheme);
        ui::applyColorScheme(static_cast<ui::ColorScheme>(scheme));
        const QPalette palette = QApplication::palette();
        QSet<QRgb> fills;
        for (const policy::Risk risk : RISKS) {
            const ui::RiskBadge::Colours colours = ui::RiskBadge::colours(risk, palette);
            // WCAG 2.2 SC 1.4.3: 4.5:1 for text (and the mark is drawn in the text's colour).
            const double ratio = ui::contrastRatio(colours.text, colours.fill);
            QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("%1: %2:1").arg(policy::riskName(risk)).arg(ratio)));
            fills.insert(colours.fill.rgb());
        }
        QCOMPARE(fills.size(), 4); // four colours, one per level
        // The banner above the queue and the critical badge stand out from the window they sit on.
        const QColor critical = ui::RiskBadge::colours(policy::Risk::Critical, palette).fill;
        QVERIFY(ui::contrastRatio(critical, palette.color(QPalette::Window)) >= 3.0); // WCAG 2.2 SC 1.4.11
        QVERIFY(ui::contrastRatio(critical, palette.color(QPalette::Base)) >= 3.0);
        ui::applyColorScheme(ui::ColorScheme::Light);
    }

    void everyLevelHasItsOwnShape()
    {
        // Without colour (as a person who cannot tell red from green sees it) the marks still differ.
        const QPalette palette = QApplication::palette();
        QList<QImage> shapes;
        for (const policy::Risk risk : RISKS) {
            const QImage shape = shapeOf(ui::RiskBadge::icon(risk, palette));
            QVERIFY(!shape.isNull());
            for (const QImage& other : std::as_const(shapes)) {
                int differ = 0;
                for (int y = 0; y < 32; ++y) {
                    for (int x = 0; x < 32; ++x)
                        differ += std::abs(qAlpha(shape.pixel(x, y)) - qAlpha(other.pixel(x, y))) > 128 ? 1 : 0;
                }
                QVERIFY2(differ > 20, qPrintable(policy::riskName(risk)));
            }
            shapes << shape;
        }
    }

    void theBadgeIsALabelWithTheRisksWord()
    {
        ui::RiskBadge badge;
        badge.setRisk(policy::Risk::High);
        QCOMPARE(badge.text(), QStringLiteral("high"));
        QCOMPARE(badge.risk(), policy::Risk::High);
        QCOMPARE(ui::RiskBadge::accessibleText(policy::Risk::High), QStringLiteral("high risk"));
        // Wide enough for its word and its mark.
        QFont bold = badge.font();
        bold.setBold(true);
        QVERIFY(badge.sizeHint().width() >
                QFontMetrics(bold).horizontalAdvance(QStringLiteral("high")) + QFontMetrics(bold).ascent());
        badge.setRisk(policy::Risk::Critical);
        QCOMPARE(badge.text(), QStringLiteral("critical"));
    }

    void theTrayMarkChangesTheIcon()
    {
        QPixmap plain(32, 32);
        plain.fill(Qt::transparent);
        const QIcon base(plain);
        const QPalette palette = QApplication::palette();
        const QImage low = ui::RiskBadge::marked(base, policy::Risk::Low, palette).pixmap(QSize(32, 32), 1.0).toImage();
        const QImage critical =
            ui::RiskBadge::marked(base, policy::Risk::Critical, palette).pixmap(QSize(32, 32), 1.0).toImage();
        QVERIFY(!low.isNull() && !critical.isNull());
        QVERIFY(low != critical);
        QVERIFY(critical != plain.toImage());
    }
};

QTEST_MAIN(TestRiskBadge)
#include "tst_riskbadge.moc"
