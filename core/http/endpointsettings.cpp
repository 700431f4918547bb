#include "endpointsettings.h"

#include <QStandardPaths>

namespace countersign::http {

QString EndpointSettings::defaultLocalSocketPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation) +
           QStringLiteral("/countersign/countersign.sock");
}

} // namespace countersign::http
