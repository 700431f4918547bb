#include "shell/uisettings.h"

#include <QSettings>

#include <algorithm>

namespace countersign::ui {

namespace {
const QString GEOMETRY = QStringLiteral("mainWindow/geometry");
const QString STATE = QStringLiteral("mainWindow/state");
const QString IDLE_LOCK = QStringLiteral("security/idleLockMinutes");
const QString CLOSE_TO_TRAY = QStringLiteral("desktop/closeToTray");
const QString SOUND = QStringLiteral("desktop/soundOnRequest");
const QString COLOR_SCHEME = QStringLiteral("desktop/colorScheme");
constexpr int DEFAULT_IDLE_LOCK_MINUTES = 10;
constexpr int MAX_IDLE_LOCK_MINUTES = 24 * 60;
} // namespace

QByteArray UiSettings::mainWindowGeometry()
{
    return QSettings().value(GEOMETRY).toByteArray();
}

void UiSettings::setMainWindowGeometry(const QByteArray& geometry)
{
    QSettings().setValue(GEOMETRY, geometry);
}

QByteArray UiSettings::mainWindowState()
{
    return QSettings().value(STATE).toByteArray();
}

void UiSettings::setMainWindowState(const QByteArray& state)
{
    QSettings().setValue(STATE, state);
}

int UiSettings::idleLockMinutes()
{
    bool ok = false;
    const int minutes = QSettings().value(IDLE_LOCK, DEFAULT_IDLE_LOCK_MINUTES).toInt(&ok);
    return ok ? std::clamp(minutes, 0, MAX_IDLE_LOCK_MINUTES) : DEFAULT_IDLE_LOCK_MINUTES;
}

void UiSettings::setIdleLockMinutes(int minutes)
{
    QSettings().setValue(IDLE_LOCK, std::clamp(minutes, 0, MAX_IDLE_LOCK_MINUTES));
}

bool UiSettings::closeToTray()
{
    return QSettings().value(CLOSE_TO_TRAY, true).toBool();
}

void UiSettings::setCloseToTray(bool enabled)
{
    QSettings().setValue(CLOSE_TO_TRAY, enabled);
}

bool UiSettings::soundOnRequest()
{
    return QSettings().value(SOUND, false).toBool();
}

void UiSettings::setSoundOnRequest(bool enabled)
{
    QSettings().setValue(SOUND, enabled);
}

QString UiSettings::colorScheme()
{
    return QSettings().value(COLOR_SCHEME, QStringLiteral("system")).toString();
}

void UiSettings::setColorScheme(const QString& name)
{
    QSettings().setValue(COLOR_SCHEME, name);
}

} // namespace countersign::ui
