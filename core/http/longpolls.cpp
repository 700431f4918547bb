#include "longpolls.h"

#include "httpconnection.h"

#include <QSet>

namespace countersign::http {

namespace {

constexpr int TICK_MS = 200;
constexpr qint64 PROBE_MS = 1000;

} // namespace

LongPolls::LongPolls(QObject* parent)
    : QObject(parent)
{
    m_clock.start();
    m_timer.setInterval(TICK_MS);
    connect(&m_timer, &QTimer::timeout, this, &LongPolls::tick);
}

void LongPolls::wait(HttpConnection& connection, const QString& topic, qint64 waitMs, Answer answer, Probe changed)
{
    m_waiters.append(Waiter{&connection, topic, m_clock.elapsed() + waitMs, std::move(answer), std::move(changed)});
    if (!m_timer.isActive())
        m_timer.start();
}

void LongPolls::answer(const QList<Waiter>& ready)
{
    for (const Waiter& waiter : ready) {
        if (!waiter.connection)
            continue;
        const HttpResponse response = waiter.answer();
        if (waiter.connection)
            waiter.connection->complete(response);
    }
}

void LongPolls::wake(const QString& topic)
{
    // A wake says the topic may have changed: a change that leaves what a waiter waits for as it
    // was (one approval of two, another node's hint about a request's creation) answers nobody
    // whose probe can tell.
    QList<Waiter> ready;
    m_waiters.removeIf([&](const Waiter& waiter) {
        if (!waiter.connection)
            return true;
        if (waiter.topic != topic || (waiter.changed && !waiter.changed()))
            return false;
        ready.append(waiter);
        return true;
    });
    answer(ready);
}

void LongPolls::tick()
{
    const qint64 now = m_clock.elapsed();
    QList<Waiter> due;
    m_waiters.removeIf([&](const Waiter& waiter) {
        if (!waiter.connection)
            return true;
        if (waiter.deadline > now)
            return false;
        due.append(waiter);
        return true;
    });
    answer(due);
    if (now - m_lastProbe >= PROBE_MS) {
        m_lastProbe = now;
        QSet<QString> changed;
        const QList<Waiter> waiting = m_waiters;
        for (const Waiter& waiter : waiting) {
            if (waiter.changed && !changed.contains(waiter.topic) && waiter.changed())
                changed.insert(waiter.topic);
        }
        for (const QString& topic : std::as_const(changed))
            Q_EMIT changedElsewhere(topic);
    }
    if (m_waiters.isEmpty())
        m_timer.stop();
}

} // namespace countersign::http
