#pragma once

#include "httpresponse.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <functional>

namespace countersign::http {

class HttpConnection;

/// The connections whose answer waits (long-polls), each on a topic: answered when the topic is
/// woken or when its wait runs out, whichever comes first, by a callback that makes the answer
/// at that moment. A connection that closes meanwhile is forgotten.
class LongPolls final : public QObject {
    Q_OBJECT
public:
    using Answer = std::function<HttpResponse()>;
    /// True when the topic changed without a wake (another process changed what it is about).
    using Probe = std::function<bool()>;

    explicit LongPolls(QObject* parent = nullptr);

    /// Defers \a connection's answer for at most \a waitMs. \a changed, when given, is asked
    /// about once a second while the connection waits.
    void wait(HttpConnection& connection, const QString& topic, qint64 waitMs, Answer answer, Probe changed = {});
    /// Answers the connections waiting on \a topic now: those whose probe says the topic changed,
    /// and every one that was given no probe.
    void wake(const QString& topic);
    [[nodiscard]] bool isEmpty() const { return m_waiters.isEmpty(); }

Q_SIGNALS:
    /// A probe said \a topic changed; its owner decides what follows (usually wake()).
    void changedElsewhere(const QString& topic);

private:
    struct Waiter final {
        QPointer<HttpConnection> connection;
        QString topic;
        qint64 deadline = 0;
        Answer answer;
        Probe changed;
    };

    void answer(const QList<Waiter>& ready);
    void tick();

    QList<Waiter> m_waiters;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastProbe = 0;
};

} // namespace countersign::http
