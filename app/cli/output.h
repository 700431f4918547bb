#pragma once

#include "error.h"
#include "httpclient.h"

#include <QJsonObject>
#include <QString>

class QCommandLineParser;

namespace countersign::cli {

/// Prints a result for people (one line of text) or for scripts (one JSON object).
void printResult(bool json, const QString& text, const QJsonObject& object);
/// Prints an error to stderr and returns the exit code that goes with its code.
[[nodiscard]] int printError(bool json, const Error& error);
/// Prints what a server refused, or why there was no exchange, to stderr (its error object
/// for scripts; its message, code and status for people) and returns the exit code for its status.
[[nodiscard]] int printResponseError(bool json, const HttpClient::Response& response);

/// The value of --port, 1 to 65535, or \a fallback when it is not given.
[[nodiscard]] Result<quint16> portOption(const QCommandLineParser& parser, quint16 fallback);

} // namespace countersign::cli
