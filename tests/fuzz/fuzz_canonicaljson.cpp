// The canonical JSON encoder: defined for every JSON value, and a fixed point (encoding the
// parse of an encoding gives the same bytes).
#include "json/canonicaljson.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    // Wrapped in an array so that any JSON value, not only objects, is a document.
    const QJsonDocument document = QJsonDocument::fromJson("[" + bytes + "]");
    if (!document.isArray() || document.array().size() != 1)
        return 0;
    const QByteArray once = countersign::json::canonicalJson(document.array().at(0));
    const QJsonDocument again = QJsonDocument::fromJson("[" + once + "]");
    if (!again.isArray() || countersign::json::canonicalJson(again.array().at(0)) != once)
        std::abort();
    return 0;
}
