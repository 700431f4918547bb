// What assistive technology and low-vision users get from the window: every control named,
// every label's text reachable through the accessibility interface a screen reader queries,
// and text and icon colours with enough contrast in both palettes (WCAG 2.2 1.4.3, 1.4.11).
#include "application/instance.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/services.h"
#include "common/messagelabel.h"
#include "common/riskbadge.h"
#include "http/endpointsettings.h"
#include "http/endpointthread.h"
#include "policy/policystore.h"
#include "shell/appearance.h"
#include "shell/appicon.h"
#include "shell/firstrunwizard.h"
#include "shell/mainwindow.h"
#include "shell/sessioncontroller.h"
#include "shell/unlockdialog.h"
#include "testsupport.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QAccessible>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QImage>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScreen>
#include <QScrollArea>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextDocument>
#include <QTextEdit>

#include <cmath>

using namespace countersign;

namespace {

/// WCAG 2.2 "relative luminance": sRGB channels linearised, weighted 0.2126/0.7152/0.0722.
double luminance(const QColor& colour)
{
    auto channel = [](double value) {
        return value <= 0.04045 ? value / 12.92 : std::pow((value + 0.055) / 1.055, 2.4);
    };
    const QColor rgb = colour.toRgb();
    return 0.2126 * channel(rgb.redF()) + 0.7152 * channel(rgb.greenF()) + 0.0722 * channel(rgb.blueF());
}

/// WCAG 2.2 "contrast ratio": (L1 + 0.05) / (L2 + 0.05), the lighter over the darker.
double contrast(const QColor& a, const QColor& b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

/// A colour as it reaches the eye: a translucent foreground blended over its background.
QColor over(const QColor& foreground, const QColor& background)
{
    const double alpha = foreground.alphaF();
    return QColor::fromRgbF(static_cast<float>(foreground.redF() * alpha + background.redF() * (1 - alpha)),
                            static_cast<float>(foreground.greenF() * alpha + background.greenF() * (1 - alpha)),
                            static_cast<float>(foreground.blueF() * alpha + background.blueF() * (1 - alpha)));
}

/// Controls a person operates: each needs a name a screen reader can say.
bool isInteractive(const QWidget* widget)
{
    return qobject_cast<const QAbstractButton*>(widget) || qobject_cast<const QLineEdit*>(widget) ||
           qobject_cast<const QComboBox*>(widget) || qobject_cast<const QAbstractSpinBox*>(widget) ||
           qobject_cast<const QAbstractItemView*>(widget) || qobject_cast<const QTabBar*>(widget) ||
           qobject_cast<const QPlainTextEdit*>(widget) || qobject_cast<const QTextEdit*>(widget);
}

/// Parts of a compound control (a spin box's editor, a table's headers, a text view's
/// viewport) are announced through the control that holds them; a scroll area's content is not.
bool isPartOfAControl(const QWidget* widget)
{
    for (const QWidget* up = widget->parentWidget(); up; up = up->parentWidget()) {
        if (qobject_cast<const QAbstractSpinBox*>(up) || qobject_cast<const QComboBox*>(up) ||
            qobject_cast<const QAbstractItemView*>(up) || qobject_cast<const QTabBar*>(up) ||
            (qobject_cast<const QAbstractScrollArea*>(up) && !qobject_cast<const QScrollArea*>(up)))
            return true;
    }
    return false;
}

/// The text a label shows, as read: rich text as plain text, a mnemonic's '&' dropped.
QString shown(const QLabel* label)
{
    QString text = label->text();
    if (label->textFormat() == Qt::RichText || (label->textFormat() == Qt::AutoText && Qt::mightBeRichText(text))) {
        QTextDocument document;
        document.setHtml(text);
        text = document.toPlainText();
    } else if (label->buddy()) {
        text.replace(QRegularExpression(QStringLiteral("&(?!&)")), QString());
    }
    return text.simplified();
}

QString describe(const QWidget* widget)
{
    return QStringLiteral("%1 (%2)").arg(widget->objectName().isEmpty() ? QStringLiteral("unnamed object")
                                                                        : widget->objectName(),
                                         QString::fromLatin1(widget->metaObject()->className()));
}

/// What a screen reader can get of \a widget: its name, value and description.
QString heard(QWidget* widget)
{
    QAccessibleInterface* iface = QAccessible::queryAccessibleInterface(widget);
    if (!iface)
        return {};
    const QString all = iface->text(QAccessible::Name) + u'\n' + iface->text(QAccessible::Value) + u'\n' +
                        iface->text(QAccessible::Description);
    return all.simplified();
}

/// Walks the visible widgets under \a root; returns what an assistive technology would miss,
/// and counts in \a checked the controls and labels it looked at.
QStringList problemsUnder(QWidget* root, const QString& where, int& checked)
{
    QStringList problems;
    QMultiHash<QString, QString> names; // accessible name -> control
    QList<QWidget*> widgets = root->findChildren<QWidget*>();
    widgets.prepend(root);
    for (QWidget* widget : std::as_const(widgets)) {
        if (!widget->isVisible() || isPartOfAControl(widget))
            continue;
        QAccessibleInterface* iface = QAccessible::queryAccessibleInterface(widget);
        if (!iface) {
            problems << where + u": " + describe(widget) + QStringLiteral(" has no accessible interface");
            continue;
        }
        if (isInteractive(widget) || qobject_cast<QLabel*>(widget))
            ++checked;
        if (isInteractive(widget)) {
            const QString name = iface->text(QAccessible::Name).simplified();
            if (name.isEmpty())
                problems << where + u": " + describe(widget) + QStringLiteral(" has no accessible name");
            else
                names.insert(name, describe(widget));
        }
        if (auto* label = qobject_cast<QLabel*>(widget)) {
            const QString text = shown(label);
            if (!text.isEmpty() && !heard(label).contains(text))
                problems << where + u": " + describe(widget) + QStringLiteral(" shows \"") + text +
                                QStringLiteral("\" but a screen reader gets \"") + heard(label) + u'"';
        }
    }
    // Two controls in one place answering to the same name cannot be told apart by ear.
    for (const QString& name : names.uniqueKeys()) {
        if (names.count(name) > 1)
            problems << where + QStringLiteral(": \"") + name + QStringLiteral("\" names ") +
                            QStringList(names.values(name)).join(QStringLiteral(" and "));
    }
    return problems;
}

/// True when \a problems is empty; lists them all otherwise (a failure message is cut short).
bool none(const QStringList& problems)
{
    for (const QString& problem : problems)
        qWarning("%s", qPrintable(problem));
    return problems.isEmpty();
}

/// The desktop as a user has it: the window on a vault with runtimes, a team, rules and
/// requests, serving runtimes on a loopback port.
struct Desk {
    QTemporaryDir dir;
    std::unique_ptr<ui::SessionController> session;
    std::unique_ptr<ui::MainWindow> window;
    QStringList requestIds;

    bool start()
    {
        http::EndpointSettings settings;
        settings.port = 0;
        settings.localSocketPath.clear();
        auto instance = test::openInstance(
            test::createVault(dir.filePath(QStringLiteral("vault")), QStringLiteral("Ada Lovelace")), settings);
        if (!instance)
            return false;
        approvals::Services& open = *instance->services();
        const auto agent = test::registerRuntime(open, QStringLiteral("coding-agent"), {QStringLiteral("deploy.*")});
        (void)test::registerRuntime(open, QStringLiteral("nightly-backup"), {QStringLiteral("backup.*")});
        if (!test::addMember(open, QStringLiteral("grace"), QStringLiteral("Grace Hopper"), QStringLiteral("approver")))
            return false;
        policy::PolicyRule rule;
        rule.capabilityGlob = QStringLiteral("deploy.*");
        rule.minimumRisk = policy::Risk::High;
        rule.approvals = 2;
        if (!open.policies().add(rule, QStringLiteral("member:owner")))
            return false;
        for (const auto& [summary, risk] : {std::pair{QStringLiteral("Deploy web 3.14.2"), QStringLiteral("low")},
                                            std::pair{QStringLiteral("Rotate the API keys"), QStringLiteral("medium")},
                                            std::pair{QStringLiteral("Drop the old tables"), QStringLiteral("high")}}) {
            const QString id =
                test::createRequest(open.requests(), agent, summary, risk,
                                    QJsonObject{{QStringLiteral("image"), QStringLiteral("registry/web:3.14.2")},
                                                {QStringLiteral("api_token"), QStringLiteral("tok_live_51H")}});
            if (id.isEmpty())
                return false;
            requestIds << id;
        }
        session = std::make_unique<ui::SessionController>(std::move(instance));
        window = std::make_unique<ui::MainWindow>(*session);
        (void)session->startEndpoint();
        window->setIdleTimeout(std::chrono::milliseconds(0));
        window->resize(1100, 760);
        window->show();
        return QTest::qWaitForWindowExposed(window.get());
    }

    template <typename T> T* find(const QString& name) { return window->findChild<T*>(name); }
};

const QList<std::pair<QPalette::ColorRole, QPalette::ColorRole>> TEXT_ROLES{
    {QPalette::WindowText, QPalette::Window},         {QPalette::Text, QPalette::Base},
    {QPalette::Text, QPalette::AlternateBase},        {QPalette::ButtonText, QPalette::Button},
    {QPalette::HighlightedText, QPalette::Highlight}, {QPalette::ToolTipText, QPalette::ToolTipBase},
    {QPalette::PlaceholderText, QPalette::Base},      {QPalette::Link, QPalette::Base},
    {QPalette::LinkVisited, QPalette::Base},          {QPalette::WindowText, QPalette::Base},
};

QString roleName(QPalette::ColorRole role)
{
    return QString::fromLatin1(QMetaEnum::fromType<QPalette::ColorRole>().valueToKey(role));
}

} // namespace

class TestAccessibility final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // First in the process, before any window: a label named and asked for before the
        // first window is built (as a widget built ahead of it is) gets Qt's own interface...
        QLabel early(QStringLiteral("Runtimes: http://127.0.0.1:7447"));
        early.setAccessibleName(QStringLiteral("Endpoint status"));
        QVERIFY(QAccessible::queryAccessibleInterface(&early));
        // ...and once a window is built, it exposes its text like every other label.
        QTemporaryDir dir;
        ui::UnlockDialog dialog(dir.filePath(QStringLiteral("vault")));
        QAccessibleInterface* iface = QAccessible::queryAccessibleInterface(&early);
        QCOMPARE(iface->text(QAccessible::Name), QStringLiteral("Endpoint status"));
        QCOMPARE(iface->text(QAccessible::Description), early.text());
    }

    void everyTabNamesItsControlsAndExposesItsText()
    {
        Desk desk;
        QVERIFY(desk.start());
        auto* tabs = desk.find<QTabWidget>(QStringLiteral("tabs"));
        QVERIFY(tabs);
        QCOMPARE(tabs->count(), 7);
        // A request shown and one decided: the detail pane and the decision message are on screen.
        desk.window->openRequest(desk.requestIds.first());
        auto* approve = desk.find<QPushButton>(QStringLiteral("approveButton"));
        QTRY_VERIFY(approve->isEnabled());
        QTest::mouseClick(approve, Qt::LeftButton);
        auto* message = desk.find<QLabel>(QStringLiteral("decisionMessage"));
        QVERIFY(message);
        QTRY_VERIFY(!message->text().isEmpty());
        desk.window->openRequest(desk.requestIds.at(1));

        QStringList problems;
        for (int page = 0; page < tabs->count(); ++page) {
            tabs->setCurrentIndex(page);
            QTest::qWait(50);
            int checked = 0;
            problems << problemsUnder(tabs->currentWidget(), tabs->tabText(page).remove(u'&'), checked);
            QVERIFY2(checked >= 3, qPrintable(tabs->tabText(page) + QStringLiteral(": only %1 controls").arg(checked)));
        }
        int checked = 0;
        problems << problemsUnder(tabs->tabBar(), QStringLiteral("tab bar"), checked);
        problems << problemsUnder(desk.window->statusBar(), QStringLiteral("status bar"), checked);
        QCOMPARE(checked, 2); // the tab bar and the endpoint's status
        QVERIFY2(none(problems), "see the problems listed above");

        // The status labels named in the first report: a name that says what they are, and
        // the text they show, both through the interface a screen reader queries.
        auto says = [](QWidget* widget, const QString& name, const QString& text) {
            QAccessibleInterface* iface = QAccessible::queryAccessibleInterface(widget);
            QVERIFY(iface);
            QCOMPARE(iface->text(QAccessible::Name), name);
            // The description is what AT-SPI (Orca) reads after the name.
            QVERIFY2(iface->text(QAccessible::Description).contains(text),
                     qPrintable(iface->text(QAccessible::Description)));
            QVERIFY(iface->text(QAccessible::Value).contains(text));
        };
        says(message, QStringLiteral("Decision message"), message->text());
        auto* endpoint = desk.find<QLabel>(QStringLiteral("endpointStatus"));
        QVERIFY(endpoint->text().contains(QStringLiteral("127.0.0.1")));
        says(endpoint, QStringLiteral("Endpoint status"), endpoint->text());
        says(desk.find<QLabel>(QStringLiteral("ownerValue")), QStringLiteral("Owner"), QStringLiteral("Ada Lovelace"));
        says(desk.find<QLabel>(QStringLiteral("entriesValue")), QStringLiteral("Audit entries"),
             desk.find<QLabel>(QStringLiteral("entriesValue"))->text());
    }

    void lockScreenLabelsItsFieldAndSaysWhatWentWrong()
    {
        Desk desk;
        QVERIFY(desk.start());
        desk.window->lock();
        auto* lockScreen = desk.find<QWidget>(QStringLiteral("lockScreen"));
        QTRY_VERIFY(lockScreen->isVisible());
        auto* field = desk.find<QLineEdit>(QStringLiteral("lockPassphrase"));
        QVERIFY(field);
        // A visible label names the field, and its mnemonic moves there.
        QLabel* caption = nullptr;
        for (QLabel* label : lockScreen->findChildren<QLabel*>()) {
            if (label->isVisible() && (label->buddy() == field || label->buddy() == field->parentWidget()))
                caption = label;
        }
        QVERIFY2(caption, "no label on screen names the passphrase field");
        QVERIFY(shown(caption).contains(QStringLiteral("Passphrase")));
        QAccessibleInterface* captionIface = QAccessible::queryAccessibleInterface(caption);
        bool labels = false;
        for (const auto& [other, relation] : captionIface->relations(QAccessible::Labelled)) {
            const QObject* target = other->object();
            labels = labels || target == field || target == field->parentWidget();
        }
        QVERIFY2(labels, "the label's accessible relations do not point at the field");
        QVERIFY(!QAccessible::queryAccessibleInterface(field)->text(QAccessible::Name).isEmpty());

        QTest::keyClicks(field, QStringLiteral("not the passphrase"));
        QTest::keyClick(field, Qt::Key_Return);
        auto* error = desk.find<QLabel>(QStringLiteral("lockError"));
        QTRY_VERIFY(error->text().contains(QStringLiteral("Wrong passphrase")));
        // Not by colour alone: the error's icon is on screen beside it (its disc, left of the text).
        auto iconPixels = [&] {
            const QImage shot = desk.window->screen()->grabWindow(desk.window->winId()).toImage();
            const QPoint origin = error->mapTo(desk.window.get(), QPoint(0, 0));
            const QRgb disc = ui::errorTextColor(error->palette()).rgb() & 0xffffff;
            int count = 0;
            for (int y = origin.y(); y < origin.y() + error->height(); ++y) {
                for (int x = origin.x(); x < origin.x() + error->contentsMargins().left(); ++x)
                    count += (shot.pixel(x, y) & 0xffffff) == disc ? 1 : 0;
            }
            return count;
        };
        QTRY_VERIFY(iconPixels() > 10);
        QVERIFY2(QAccessible::queryAccessibleInterface(error)->text(QAccessible::Description).contains(error->text()),
                 qPrintable(heard(error)));
        int checked = 0;
        const QStringList problems = problemsUnder(lockScreen, QStringLiteral("lock screen"), checked);
        QVERIFY(checked >= 5);
        QVERIFY2(none(problems), "see the problems listed above");
    }

    void unlockDialogSaysWhatWentWrong()
    {
        QTemporaryDir dir;
        const QString vaultDir = dir.filePath(QStringLiteral("vault"));
        QVERIFY(test::createVault(vaultDir));
        ui::UnlockDialog dialog(vaultDir);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* field = dialog.findChild<QLineEdit*>(QStringLiteral("passphrase"));
        QTest::keyClicks(field, QStringLiteral("not the passphrase"));
        QTest::keyClick(field, Qt::Key_Return);
        auto* error = dialog.findChild<QLabel*>(QStringLiteral("errorLabel"));
        QTRY_VERIFY(error->isVisible());
        QVERIFY(error->text().contains(QStringLiteral("Wrong passphrase")));
        QVERIFY2(QAccessible::queryAccessibleInterface(error)->text(QAccessible::Description).contains(error->text()),
                 qPrintable(heard(error)));
        int checked = 0;
        const QStringList problems = problemsUnder(&dialog, QStringLiteral("unlock dialog"), checked);
        QVERIFY(checked >= 5);
        QVERIFY2(none(problems), "see the problems listed above");
    }

    void dialogsNameTheirControls()
    {
        Desk desk;
        QVERIFY(desk.start());
        auto* tabs = desk.find<QTabWidget>(QStringLiteral("tabs"));
        // Each dialog a tab opens, as it opens: its controls named, its labels' text reachable.
        const std::tuple<QString, QString, QString> openers[] = {
            {QStringLiteral("runtimesTab"), QStringLiteral("registerRuntimeButton"),
             QStringLiteral("registerRuntimeDialog")},
            {QStringLiteral("policiesTab"), QStringLiteral("addRuleButton"), QStringLiteral("ruleDialog")},
        };
        QStringList problems;
        for (const auto& [tab, button, dialogName] : openers) {
            tabs->setCurrentWidget(desk.find<QWidget>(tab));
            auto* opener = desk.find<QPushButton>(button);
            QVERIFY2(opener, qPrintable(button));
            QTest::mouseClick(opener, Qt::LeftButton);
            QDialog* dialog = nullptr;
            QTRY_VERIFY((dialog = desk.find<QDialog>(dialogName)) && dialog->isVisible());
            int checked = 0;
            problems << problemsUnder(dialog, dialogName, checked);
            QVERIFY2(checked >= 3, qPrintable(dialogName));
            dialog->reject();
        }
        for (QAction* action : desk.window->findChildren<QAction*>()) {
            if (action->objectName() == u"changePassphraseAction")
                action->trigger();
        }
        QDialog* change = nullptr;
        QTRY_VERIFY((change = desk.find<QDialog>(QStringLiteral("changePassphraseDialog"))) && change->isVisible());
        int checked = 0;
        problems << problemsUnder(change, QStringLiteral("changePassphraseDialog"), checked);
        QVERIFY(checked >= 3);
        change->reject();
        QVERIFY2(none(problems), "see the problems listed above");
    }

    void firstRunWizardNamesItsControls()
    {
        QTemporaryDir dir;
        ui::FirstRunWizard wizard(dir.filePath(QStringLiteral("vault")));
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        int checked = 0;
        const QStringList problems = problemsUnder(&wizard, QStringLiteral("first-run wizard"), checked);
        QVERIFY(checked >= 5);
        QVERIFY2(none(problems), "see the problems listed above");
    }

    void viewMenuNamesTheTabs()
    {
        Desk desk;
        QVERIFY(desk.start());
        auto* tabs = desk.find<QTabWidget>(QStringLiteral("tabs"));
        QMenu* view = nullptr;
        for (QAction* menu : desk.window->menuBar()->actions()) {
            if (menu->text().remove(u'&') == QStringLiteral("View"))
                view = menu->menu();
        }
        QVERIFY(view);
        QStringList listed;
        for (QAction* action : view->actions()) {
            if (!action->isSeparator())
                listed << action->text().remove(u'&');
        }
        QStringList pages;
        for (int page = 0; page < tabs->count(); ++page)
            pages << tabs->tabText(page).remove(u'&');
        QCOMPARE(listed, pages);
        // Ctrl+N still goes to the Nth tab, and the menu says which.
        for (int page = 0; page < tabs->count(); ++page)
            QCOMPARE(view->actions().at(page)->shortcut(), QKeySequence(Qt::CTRL | (Qt::Key_1 + page)));
    }

    void paletteTextHasContrast_data()
    {
        QTest::addColumn<ui::ColorScheme>("scheme");
        QTest::newRow("light") << ui::ColorScheme::Light;
        QTest::newRow("dark") << ui::ColorScheme::Dark;
    }

    void paletteTextHasContrast()
    {
        QFETCH(ui::ColorScheme, scheme);
        ui::applyColorScheme(scheme);
        const QPalette palette = QApplication::palette();
        QStringList problems;
        // WCAG 2.2 1.4.3: 4.5:1 for text. Disabled controls are exempt there and are left out.
        for (const QPalette::ColorGroup group : {QPalette::Active, QPalette::Inactive}) {
            for (const auto& [foreground, background] : TEXT_ROLES) {
                const QColor back = palette.color(group, background);
                const double ratio = contrast(over(palette.color(group, foreground), back), back);
                if (ratio < 4.5)
                    problems << QStringLiteral("%1/%2 (group %3): %4:1")
                                    .arg(roleName(foreground), roleName(background))
                                    .arg(group)
                                    .arg(ratio, 0, 'f', 2);
            }
        }
        // The application's own colours (errors, risk, status), listed where they are defined.
        const QList<ui::ColourUse> uses = ui::colourUses(palette);
        QVERIFY(!uses.isEmpty());
        for (const ui::ColourUse& use : uses) {
            const double ratio = contrast(over(use.foreground, use.background), use.background);
            if (ratio < use.minimumContrast)
                problems << QStringLiteral("%1: %2 on %3 is %4:1, needs %5:1")
                                .arg(use.what, use.foreground.name(), use.background.name())
                                .arg(ratio, 0, 'f', 2)
                                .arg(use.minimumContrast);
        }
        QVERIFY2(none(problems), "see the problems listed above");
    }

    void iconsStandOutFromTheWindow_data() { paletteTextHasContrast_data(); }

    void iconsStandOutFromTheWindow()
    {
        QFETCH(ui::ColorScheme, scheme);
        ui::applyColorScheme(scheme);
        const QColor window = QApplication::palette().color(QPalette::Window);
        // The icons the window draws on its own background.
        const std::tuple<QString, QIcon, QList<int>> icons[] = {
            {QStringLiteral("application icon"), ui::appIcon(), {32, 64}},
            {QStringLiteral("error icon (MessageLabel)"), ui::errorIcon(QApplication::palette()), {16, 32}},
            {QStringLiteral("low risk mark"),
             ui::RiskBadge::icon(policy::Risk::Low, QApplication::palette()),
             {16, 32}},
            {QStringLiteral("medium risk mark"),
             ui::RiskBadge::icon(policy::Risk::Medium, QApplication::palette()),
             {16, 32}},
            {QStringLiteral("high risk mark"),
             ui::RiskBadge::icon(policy::Risk::High, QApplication::palette()),
             {16, 32}},
            {QStringLiteral("critical risk mark"),
             ui::RiskBadge::icon(policy::Risk::Critical, QApplication::palette()),
             {16, 32}},
        };
        QStringList problems;
        for (const auto& [what, icon, sizes] : icons) {
            for (const int size : sizes) {
                // WCAG 2.2 1.4.11: the parts of a graphic needed to make it out, 3:1 against
                // what is next to them. For an icon on the window that is its outline: the
                // opaque pixels next to the (partly) transparent surround. Nine in ten of them
                // must reach it.
                const QImage image = icon.pixmap(size, size).toImage().convertToFormat(QImage::Format_ARGB32);
                int edge = 0;
                int faint = 0;
                for (int y = 1; y + 1 < image.height(); ++y) {
                    for (int x = 1; x + 1 < image.width(); ++x) {
                        if (qAlpha(image.pixel(x, y)) < 255)
                            continue;
                        const bool outline = qAlpha(image.pixel(x - 1, y)) < 255 ||
                                             qAlpha(image.pixel(x + 1, y)) < 255 ||
                                             qAlpha(image.pixel(x, y - 1)) < 255 || qAlpha(image.pixel(x, y + 1)) < 255;
                        if (!outline)
                            continue;
                        ++edge;
                        if (contrast(QColor::fromRgb(image.pixel(x, y)), window) < 3.0)
                            ++faint;
                    }
                }
                if (edge == 0 || faint * 10 > edge)
                    problems << QStringLiteral("%1 at %2 px: %3 of %4 outline pixels below 3:1 against the window (%5)")
                                    .arg(what)
                                    .arg(size)
                                    .arg(faint)
                                    .arg(edge)
                                    .arg(window.name());
            }
        }
        QVERIFY2(none(problems), "see the problems listed above");

        // And an error message shows that icon on screen beside its text, as soon as the text is
        // set, and no longer once it is cleared: its disc's colour counted in what the window shows.
        QWidget holder;
        auto* message = new ui::MessageLabel(&holder);
        message->setTone(ui::MessageLabel::Tone::Error);
        message->setGeometry(0, 0, 320, 40);
        holder.resize(320, 40);
        holder.show();
        QVERIFY(QTest::qWaitForWindowExposed(&holder));
        const QRgb disc = ui::errorTextColor(message->palette()).rgb() & 0xffffff;
        auto discOnScreen = [&] {
            const QImage shot = holder.screen()->grabWindow(holder.winId()).toImage();
            int count = 0;
            for (int y = 0; y < shot.height(); ++y) {
                for (int x = 0; x < std::min(shot.width(), 24); ++x)
                    count += (shot.pixel(x, y) & 0xffffff) == disc ? 1 : 0;
            }
            return count;
        };
        QTest::qWait(100);
        message->setText(QStringLiteral("Wrong passphrase."));
        QTRY_VERIFY2(discOnScreen() > 10, "the error message does not show the error icon");
        message->clear();
        QTRY_VERIFY2(discOnScreen() == 0, "the error icon stays after the message is cleared");
    }

    void contrastFormulaMatchesWcag()
    {
        // Known values: black on white is 21:1, a colour on itself 1:1, #767676 on white 4.54:1.
        QCOMPARE(qRound(contrast(Qt::black, Qt::white) * 100), 2100);
        QCOMPARE(qRound(contrast(QColor(0x12, 0x34, 0x56), QColor(0x12, 0x34, 0x56)) * 100), 100);
        QCOMPARE(qRound(contrast(QColor(0x76, 0x76, 0x76), Qt::white) * 100), 454);
    }
};

QTEST_MAIN(TestAccessibility)
#include "tst_accessibility.moc"
