#pragma once

#include "httpclient.h"

#include <QJsonObject>
#include <QStringList>

class QCommandLineParser;

namespace countersign::cli {

/// What runtimes and scripts run: request, status, wait, consume, cancel, exec.
class RequestCommands final {
public:
    RequestCommands(HttpClient client, bool json);

    [[nodiscard]] int run(const QString& command, const QStringList& args, const QCommandLineParser& parser);

private:
    [[nodiscard]] int request(const QCommandLineParser& parser);
    [[nodiscard]] int status(const QString& id);
    [[nodiscard]] int wait(const QString& id, int timeoutSeconds);
    [[nodiscard]] int consume(const QString& id, const QCommandLineParser& parser);
    [[nodiscard]] int cancel(const QString& id);
    [[nodiscard]] int exec(const QStringList& command, const QCommandLineParser& parser);

    /// Long-polls until the request leaves pending or \a timeoutSeconds pass (<0: forever).
    [[nodiscard]] Result<QJsonObject> waitFor(const QString& id, int timeoutSeconds);
    [[nodiscard]] int reportState(const QJsonObject& request);
    /// Consumes \a id for \a payloadSha256 under one fresh Idempotency-Key, retrying when the
    /// answer is lost or the server fails: a consume that committed answers the retry with its
    /// receipt rather than "already consumed".
    [[nodiscard]] HttpClient::Response consumeOnce(const QString& id, const QString& payloadSha256);

    HttpClient m_client;
    bool m_json = false;
};

} // namespace countersign::cli
