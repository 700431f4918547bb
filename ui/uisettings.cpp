#include "uisettings.h"

#include <QSettings>

namespace countersign::ui {

namespace {
const QString GEOMETRY = QStringLiteral("mainWindow/geometry");
const QString STATE = QStringLiteral("mainWindow/state");
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

} // namespace countersign::ui
