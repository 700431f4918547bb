#include "canonicaljson.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <string_view>

namespace countersign::json {

namespace {

void appendString(QByteArray& out, const QString& text)
{
    // RFC 8785 3.2.2.2: only '"', '\' and the C0 controls are escaped, the controls by JSON's
    // short forms where it has one and otherwise as \u00XX in lowercase hex; the rest is UTF-8.
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
        // RFC 8785 3.2.2.3: every number is an IEEE 754 double. Bodies whose numbers a double
        // does not carry exactly are refused before they get here (checkStructure).
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
        // RFC 8785 3.2.3: sort by UTF-16 code units (so a key outside the BMP, a surrogate pair,
        // sorts before U+E000..U+FFFF); QString's operator< compares exactly those.
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

void appendNumber(QByteArray& out, double number)
{
    if (!std::isfinite(number)) {
        out.append("null"); // JSON has no NaN or infinity; QJsonValue never holds them from parsing
        return;
    }
    if (number == 0.0) {
        out.append('0'); // also for -0: ECMA-262 Number::toString
        return;
    }
    if (number < 0) {
        out.append('-');
        number = -number;
    }
    // ECMA-262 Number::toString: the fewest digits s (k of them) that read back as this double,
    // the closest to it if several -- what C++17 to_chars gives without a precision -- with
    // number = s * 10^(n-k); then laid out by where n falls.
    char buffer[32];
    const auto written = std::to_chars(std::begin(buffer), std::end(buffer), number, std::chars_format::scientific);
    const std::string_view text(buffer, static_cast<std::size_t>(written.ptr - buffer)); // d[.ddd]e(+|-)XX
    const std::size_t e = text.find('e');
    QByteArray digits(1, text.front());
    if (e > 1)
        digits.append(text.data() + 2, static_cast<qsizetype>(e - 2));
    const char* exponentText = text.data() + e + 1;
    if (*exponentText == '+')
        ++exponentText;
    int exponent = 0;
    std::from_chars(exponentText, text.data() + text.size(), exponent);
    const auto k = static_cast<int>(digits.size());
    const int n = exponent + 1;
    if (k <= n && n <= 21) {
        out.append(digits);
        out.append(QByteArray(n - k, '0'));
    } else if (0 < n && n <= 21) {
        out.append(digits.left(n));
        out.append('.');
        out.append(digits.mid(n));
    } else if (-6 < n && n <= 0) {
        out.append("0.");
        out.append(QByteArray(-n, '0'));
        out.append(digits);
    } else {
        out.append(digits.at(0));
        if (k > 1) {
            out.append('.');
            out.append(digits.mid(1));
        }
        out.append('e');
        out.append(n - 1 < 0 ? '-' : '+');
        out.append(QByteArray::number(std::abs(n - 1)));
    }
}

QByteArray canonicalJson(const QJsonValue& value)
{
    QByteArray out;
    appendValue(out, value);
    return out;
}

} // namespace countersign::json
