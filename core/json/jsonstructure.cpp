#include "jsonstructure.h"

#include "canonicaljson.h"

#include <QList>
#include <QSet>
#include <QString>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>
#include <utility>

namespace countersign::json {

namespace {

/// The raw text of the string starting at \a at (a quote), escapes undecoded; the index after
/// its closing quote in \a end, or -1 if it does not close.
QByteArrayView rawString(QByteArrayView json, qsizetype at, qsizetype& end)
{
    for (qsizetype i = at + 1; i < json.size(); ++i) {
        if (json[i] == '\\') {
            ++i;
        } else if (json[i] == '"') {
            end = i + 1;
            return json.sliced(at + 1, i - at - 1);
        }
    }
    end = -1;
    return {};
}

/// A key as the parser will see it: escapes decoded (so "a" and "\\u0061" are the same key).
QString decodedKey(QByteArrayView raw)
{
    QString key;
    qsizetype run = 0; // start of the current run of literal bytes
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\' || i + 1 >= raw.size())
            continue;
        key.append(QString::fromUtf8(raw.sliced(run, i - run)));
        const char escaped = raw[++i];
        if (escaped == 'u' && i + 4 < raw.size()) {
            bool ok = false;
            const ushort unit = QString::fromLatin1(raw.sliced(i + 1, 4)).toUShort(&ok, 16);
            key.append(QChar(static_cast<char16_t>(ok ? unit : 0xFFFD)));
            i += 4;
        } else {
            static constexpr std::pair<char, char> SIMPLE[] = {
                {'n', '\n'}, {'t', '\t'}, {'r', '\r'}, {'b', '\b'}, {'f', '\f'}};
            char decoded = escaped;
            for (const auto& [letter, value] : SIMPLE) {
                if (escaped == letter)
                    decoded = value;
            }
            key.append(QLatin1Char(decoded));
        }
        run = i + 1;
    }
    key.append(QString::fromUtf8(raw.sliced(run)));
    return key;
}

/// A decimal value as sign, significant digits (no leading or trailing zeros) and the power of
/// ten of the last digit: two texts of one number, however written, normalise to the same.
struct Decimal {
    bool negative = false;
    QByteArray digits; // empty for zero
    qint64 exponent = 0;
    friend bool operator==(const Decimal&, const Decimal&) = default;
};

/// \a text as JSON number grammar has it (RFC 8259 section 6); nullopt if it is not one.
std::optional<Decimal> decimalOf(QByteArrayView text)
{
    Decimal decimal;
    qsizetype i = 0;
    if (i < text.size() && text[i] == '-') {
        decimal.negative = true;
        ++i;
    }
    const qsizetype integerStart = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9')
        decimal.digits.append(text[i++]);
    if (i == integerStart || (text[integerStart] == '0' && i - integerStart > 1))
        return std::nullopt;
    if (i < text.size() && text[i] == '.') {
        const qsizetype fractionStart = ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            decimal.digits.append(text[i++]);
            --decimal.exponent;
        }
        if (i == fractionStart)
            return std::nullopt;
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool negativeExponent = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-'))
            negativeExponent = text[i++] == '-';
        const qsizetype exponentStart = i;
        qint64 written = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            written = std::min<qint64>(written * 10 + (text[i++] - '0'), 1'000'000'000); // saturates
        }
        if (i == exponentStart)
            return std::nullopt;
        decimal.exponent += negativeExponent ? -written : written;
    }
    if (i != text.size())
        return std::nullopt;
    qsizetype first = 0;
    while (first < decimal.digits.size() && decimal.digits[first] == '0')
        ++first;
    qsizetype last = decimal.digits.size();
    while (last > first && decimal.digits[last - 1] == '0') {
        --last;
        ++decimal.exponent;
    }
    decimal.digits = decimal.digits.sliced(first, last - first);
    if (decimal.digits.isEmpty())
        decimal.exponent = 0;
    return decimal;
}

/// The numbers a digest can rest on. RFC 8785 canonicalises the IEEE 754 double that every JSON
/// reader makes of a number, so a number is accepted only when its text denotes exactly the value
/// of that double: 1.0, 1e2, 0.1 and 1E30 are the doubles 1, 100, 0.1 and 1e+30 exactly as they
/// print. Refused: a text with more precision than a double keeps (0.30000000000000001,
/// 9007199254740993), out of a double's range (1e400, 1e-400), -0 (which canonical JSON writes
/// as 0; RFC 8785 erratum 7920), and an integer written without fraction or exponent beyond
/// +/-(2^53 - 1), where doubles stop holding every integer (RFC 7493 section 2.2): a sender
/// writing 18014398509481984 holds an integer type that its neighbours would not survive, so
/// such numbers are refused whether or not this one happens to be exact.
Result<void> checkNumber(QByteArrayView text)
{
    const auto decimal = decimalOf(text);
    if (!decimal)
        return {}; // malformed: the parser will say so
    const QString shown = QString::fromLatin1(text.first(std::min<qsizetype>(text.size(), 40)));
    if (decimal->digits.isEmpty()) {
        if (decimal->negative)
            return fail(ErrorCode::InvalidArgument,
                        QStringLiteral("the JSON number %1 is a negative zero, which canonical JSON (RFC 8785) "
                                       "cannot tell from 0; send 0")
                            .arg(shown));
        return {};
    }
    double value = 0;
    const auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
    if (parsed.ec != std::errc() || !std::isfinite(value) || value == 0.0)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("the JSON number %1 is outside the range of an IEEE 754 double").arg(shown));
    const bool integerToken =
        std::string_view(text.data(), static_cast<std::size_t>(text.size())).find_first_of(".eE") ==
        std::string_view::npos;
    if (integerToken && std::fabs(value) > 9007199254740991.0)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("the JSON number %1 is beyond +/-(2^53 - 1), where doubles no longer hold every "
                                   "integer (RFC 7493 section 2.2); send it as a string")
                        .arg(shown));
    QByteArray canonical;
    appendNumber(canonical, value);
    if (decimalOf(canonical) != decimal)
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("the JSON number %1 has more precision than an IEEE 754 double keeps (it reads as "
                                   "%2); send it as a string or as %2")
                        .arg(shown, QString::fromLatin1(canonical)));
    return {};
}

/// RFC 8785 3.2.2.2 works on Unicode text: a string must be valid UTF-8 and its escapes valid
/// UTF-16, never a lone surrogate (which a QString would keep and UTF-8 turn into '?').
Result<void> checkString(QByteArrayView raw)
{
    const auto refuse = [] {
        return fail(ErrorCode::InvalidArgument,
                    QStringLiteral("a JSON string holds a lone UTF-16 surrogate or is not valid UTF-8"));
    };
    const auto hexUnit = [&](qsizetype at) -> int {
        if (at + 6 > raw.size() || raw[at] != '\\' || raw[at + 1] != 'u')
            return -1;
        int unit = 0;
        for (qsizetype i = at + 2; i < at + 6; ++i) {
            const char c = raw[i];
            const int digit = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
            if (digit < 0)
                return -1;
            unit = unit * 16 + digit;
        }
        return unit;
    };
    for (qsizetype i = 0; i < raw.size();) {
        const auto byte = static_cast<unsigned char>(raw[i]);
        if (byte == '\\') {
            const int unit = hexUnit(i);
            if (unit < 0) {
                i += 2; // a short escape (or a malformed one, which the parser refuses)
                continue;
            }
            if (unit >= 0xDC00 && unit <= 0xDFFF)
                return refuse();
            if (unit >= 0xD800 && unit <= 0xDBFF) {
                const int low = hexUnit(i + 6);
                if (low < 0xDC00 || low > 0xDFFF)
                    return refuse();
                i += 12;
            } else {
                i += 6;
            }
            continue;
        }
        // RFC 3629 section 4: the well-formed UTF-8 sequences, without surrogates or overlongs.
        int length = 1;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (byte < 0x80) {
            ++i;
            continue;
        } else if (byte >= 0xC2 && byte <= 0xDF) {
            length = 2;
        } else if (byte >= 0xE0 && byte <= 0xEF) {
            length = 3;
            low = byte == 0xE0 ? 0xA0 : 0x80;
            high = byte == 0xED ? 0x9F : 0xBF;
        } else if (byte >= 0xF0 && byte <= 0xF4) {
            length = 4;
            low = byte == 0xF0 ? 0x90 : 0x80;
            high = byte == 0xF4 ? 0x8F : 0xBF;
        } else {
            return refuse();
        }
        if (i + length > raw.size())
            return refuse();
        for (int j = 1; j < length; ++j) {
            const auto next = static_cast<unsigned char>(raw[i + j]);
            if (next < (j == 1 ? low : 0x80) || next > (j == 1 ? high : 0xBF))
                return refuse();
        }
        i += length;
    }
    return {};
}

} // namespace

Result<void> checkStructure(QByteArrayView json, int maxDepth)
{
    // One frame per open container: for objects, the keys seen so far.
    struct Frame {
        bool object = false;
        bool expectKey = false;
        QSet<QString> keys;
    };
    QList<Frame> stack;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        switch (c) {
        case '{':
        case '[':
            if (stack.size() >= maxDepth)
                return fail(ErrorCode::InvalidArgument,
                            QStringLiteral("the JSON is nested deeper than %1 levels").arg(maxDepth));
            stack.append(Frame{c == '{', c == '{', {}});
            break;
        case '}':
        case ']':
            if (stack.isEmpty())
                return {}; // malformed: the parser will say so
            stack.removeLast();
            break;
        case ',':
            if (!stack.isEmpty() && stack.last().object)
                stack.last().expectKey = true;
            break;
        case '"': {
            qsizetype end = -1;
            const QByteArrayView raw = rawString(json, i, end);
            if (end < 0)
                return {};
            if (auto valid = checkString(raw); !valid)
                return valid;
            if (!stack.isEmpty() && stack.last().object && stack.last().expectKey) {
                const QString key = decodedKey(raw);
                if (stack.last().keys.contains(key))
                    return fail(ErrorCode::InvalidArgument,
                                QStringLiteral("the JSON names the key '%1' twice in one object").arg(key.left(64)));
                stack.last().keys.insert(key);
                stack.last().expectKey = false;
            }
            i = end - 1;
            break;
        }
        default:
            if (c == '-' || (c >= '0' && c <= '9')) {
                qsizetype end = i;
                while (end < json.size() && (std::string_view("+-.eE").find(json[end]) != std::string_view::npos ||
                                             (json[end] >= '0' && json[end] <= '9')))
                    ++end;
                if (auto exact = checkNumber(json.sliced(i, end - i)); !exact)
                    return exact;
                i = end - 1;
            }
            break;
        }
    }
    return {};
}

} // namespace countersign::json
