#pragma once

#include <QString>
#include <QStringList>

namespace countersign::approvals {

/// An authenticated runtime, as the endpoint sees it after checking a bearer token.
struct RuntimeIdentity final {
    qint64 id = 0;
    QString name;
    QStringList allowedCapabilities; // glob list, e.g. "deploy.*"
};

} // namespace countersign::approvals
