#pragma once

#include "error.h"

#include <QJsonObject>
#include <QString>

namespace countersign::cli {

/// Prints a result for people (one line of text) or for scripts (one JSON object).
void printResult(bool json, const QString& text, const QJsonObject& object);
/// Prints an error to stderr and returns the exit code that goes with its code.
[[nodiscard]] int printError(bool json, const Error& error);

} // namespace countersign::cli
