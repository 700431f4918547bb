#include "canonicaljson.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace countersign::json {

namespace {

constexpr double MAX_SAFE_INTEGER = 9007199254740991.0; // 2^53 - 1

void appendString(QByteArray& out, const QString& text)
{
    static constexpr char HEX[] = "0123456789abcdef";
    out.append('"');
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        const auto byte = static_cast<unsigned char>(c);
        switch (byte) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default:
            if (byte < 0x20) {
                out.append("\\u00");
                out.append(HEX[byte >> 4]);
                out.append(HEX[byte & 0x0f]);
            } else {
                out.append(c);
            }
        }
    }
    out.append('"');
}

void appendNumber(QByteArray& out, double number)
{
    if (!std::isfinite(number)) {
        out.append("null"); // JSON has no NaN or infinity; QJsonValue never holds them from parsing
        return;
    }
    if (number == 0.0) {
        out.append('0'); // also for -0, as RFC 8785
        return;
    }
    if (std::trunc(number) == number && std::fabs(number) <= MAX_SAFE_INTEGER) {
        out.append(QByteArray::number(static_cast<qint64>(number)));
        return;
    }
    out.append(QByteArray::number(number, 'g', QLocale::FloatingPointShortest));
}

void appendValue(QByteArray& out, const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out.append("null");
        break;
    case QJsonValue::Bool:
        out.append(value.toBool() ? "true" : "false");
        break;
    case QJsonValue::Double:
        // As RFC 8785, every number is an IEEE double: integers beyond 2^53 lose precision.
        appendNumber(out, value.toDouble());
        break;
    case QJsonValue::String:
        appendString(out, value.toString());
        break;
    case QJsonValue::Array: {
        out.append('[');
        const QJsonArray array = value.toArray();
        bool first = true;
        for (const QJsonValue& element : array) {
            if (!first)
                out.append(',');
            first = false;
            appendValue(out, element);
        }
        out.append(']');
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        // The members as the object holds them, never looked up by key: Qt 6.4's QJsonObject can
        // fail to find a key it holds when Latin-1 and UTF-16 keys share an object (found by
        // fuzzing; tests/fuzz/regressions/request), and a lookup miss would turn a value into
        // null under the digest.
        QList<std::pair<QString, QJsonValue>> members;
        members.reserve(object.size());
        for (auto it = object.constBegin(); it != object.constEnd(); ++it)
            members.append({it.key(), it.value()});
        // RFC 8785 3.2.3: sort by UTF-16 code units; QString's operator< compares exactly those.
        std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        out.append('{');
        bool first = true;
        for (const auto& [key, member] : std::as_const(members)) {
            if (!first)
                out.append(',');
            first = false;
            appendString(out, key);
            out.append(':');
            appendValue(out, member);
        }
        out.append('}');
        break;
    }
    }
}

} // namespace

QByteArray canonicalJson(const QJsonValue& value)
{
    QByteArray out;
    appendValue(out, value);
    return out;
}

} // namespace countersign::json
