#pragma once

#include <QObject>
#include <QString>

namespace countersign::approvals {

/// Tells every interested thread that a request was created or changed state. One instance is
/// shared by all services of an instance (the endpoint's and the window's); emitting is
/// thread-safe and receivers in other threads get queued calls.
class RequestEvents final : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

Q_SIGNALS:
    void requestCreated(const QString& id);
    /// \a state is the new state's wire name ("approved", "consumed"...).
    void requestChanged(const QString& id, const QString& state);
};

} // namespace countersign::approvals
