#include "application/instance.h"
#include "approvals/requestevents.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "http/endpointsettings.h"
#include "shell/mainwindow.h"
#include "shell/sessioncontroller.h"
#include "shell/uisettings.h"
#include "shell/windowfit.h"
#include "testsupport.h"

#include <QApplication>
#include <QPushButton>
#include <QScreen>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

/// The main window on a 1600x1000 screen at scale factor 2 (800x500 logical pixels), as on a
/// high-density laptop: the screen is the offscreen platform's, sized by tests/data.
class TestWindowFit final : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_vaults = 0;
    std::vector<std::unique_ptr<ui::SessionController>> m_sessions; // outlive their windows

    std::unique_ptr<ui::MainWindow> openWindow()
    {
        auto instance = test::openInstance(test::createVault(m_dir.filePath(QStringLiteral("vault%1").arg(++m_vaults))),
                                           http::EndpointSettings{});
        if (!instance)
            return nullptr;
        approvals::Services& services = *instance->services();
        const auto runtime = test::registerRuntime(services, QStringLiteral("ci"), {QStringLiteral("deploy.*")});
        for (const char* risk : {"critical", "low", "high"})
            (void)test::createRequest(services.requests(), runtime, QStringLiteral("Deploy web"),
                                      QString::fromLatin1(risk));
        m_sessions.push_back(std::make_unique<ui::SessionController>(std::move(instance)));
        auto window = std::make_unique<ui::MainWindow>(*m_sessions.back());
        window->setIdleTimeout(std::chrono::milliseconds(0));
        return window;
    }

    /// Shows \a window and checks that its frame and its decision buttons are on the screen.
    void checkFits(ui::MainWindow& window)
    {
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QRect available = window.screen()->availableGeometry();
        QTRY_VERIFY2(available.contains(window.frameGeometry()),
                     qPrintable(QStringLiteral("frame %1,%2 %3x%4 on a screen of %5x%6 (minimum %7x%8)")
                                    .arg(window.frameGeometry().x())
                                    .arg(window.frameGeometry().y())
                                    .arg(window.frameGeometry().width())
                                    .arg(window.frameGeometry().height())
                                    .arg(available.width())
                                    .arg(available.height())
                                    .arg(window.minimumSizeHint().width())
                                    .arg(window.minimumSizeHint().height())));
        for (const char* name : {"approveButton", "denyButton", "reasonEdit"}) {
            auto* control = window.findChild<QWidget*>(QString::fromLatin1(name));
            QVERIFY(control);
            QTRY_VERIFY2(control->isVisible(), name);
            const QRect onWindow(control->mapTo(&window, QPoint(0, 0)), control->size());
            QVERIFY2(window.rect().contains(onWindow), name);
            QVERIFY2(!control->visibleRegion().isEmpty(), name);
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("CountersignTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_windowfit"));
        ui::UiSettings::setMainWindowGeometry({});
        // The screen the issue was seen on, not whatever this machine has.
        const QRect available = QGuiApplication::primaryScreen()->availableGeometry();
        QCOMPARE(available.size(), QSize(800, 500));
    }

    void fitInside_data()
    {
        QTest::addColumn<QRect>("wanted");
        QTest::addColumn<QRect>("available");
        QTest::addColumn<QRect>("fitted");
        const QRect screen(0, 0, 800, 500);
        QTest::newRow("fits: stays") << QRect(10, 20, 400, 300) << screen << QRect(10, 20, 400, 300);
        QTest::newRow("too tall") << QRect(0, 0, 820, 560) << screen << QRect(0, 0, 800, 500);
        QTest::newRow("hangs off the bottom right") << QRect(600, 400, 400, 300) << screen << QRect(400, 200, 400, 300);
        QTest::newRow("above and left of the screen") << QRect(-50, -30, 300, 200) << screen << QRect(0, 0, 300, 200);
        QTest::newRow("a panel on top, a second screen to the right")
            << QRect(1500, 10, 900, 900) << QRect(800, 32, 1920, 1048) << QRect(1500, 32, 900, 900);
        QTest::newRow("larger every way")
            << QRect(-100, -100, 5000, 5000) << QRect(0, 24, 1280, 776) << QRect(0, 24, 1280, 776);
    }

    void fitInside()
    {
        QFETCH(QRect, wanted);
        QFETCH(QRect, available);
        QFETCH(QRect, fitted);
        QCOMPARE(ui::fitInside(wanted, available), fitted);
        QVERIFY(available.contains(ui::fitInside(wanted, available)));
    }

    void theWindowFitsAScaledScreen()
    {
        ui::UiSettings::setMainWindowGeometry({});
        auto window = openWindow();
        QVERIFY(window);
        checkFits(*window);
        // Every tab fits too: none makes the window taller than the screen.
        auto* tabs = window->findChild<QTabWidget*>(QStringLiteral("tabs"));
        for (int tab = 0; tab < tabs->count(); ++tab) {
            tabs->setCurrentIndex(tab);
            QVERIFY2(window->screen()->availableGeometry().contains(window->frameGeometry()),
                     qPrintable(tabs->tabText(tab)));
        }
    }

    void aSavedGeometryLargerThanTheScreenIsShrunk()
    {
        // As saved on a larger monitor, or before the scale factor went up.
        QWidget large;
        large.setGeometry(40, 40, 1500, 1200);
        ui::UiSettings::setMainWindowGeometry(large.saveGeometry());
        auto window = openWindow();
        QVERIFY(window);
        const QRect available = window->screen()->availableGeometry();
        QVERIFY(window->width() <= available.width() && window->height() <= available.height());
        checkFits(*window);
        ui::UiSettings::setMainWindowGeometry({});
    }
};

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen:configfile=" COUNTERSIGN_TEST_DATA_DIR "/screen-1600x1000.json");
    qputenv("QT_SCALE_FACTOR", "2");
    QApplication app(argc, argv);
    TestWindowFit test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_windowfit.moc"
