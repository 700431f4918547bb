#include "exportline.h"

#include <array>
#include <cstring>

namespace countersign::audit {

namespace {

enum Field : unsigned { Action, Actor, Details, EntryHash, Mac, PrevHash, Seq, Subject, Ts, FieldCount };

constexpr std::array<std::string_view, FieldCount> FIELD_NAMES{"action",    "actor", "details", "entry_hash", "mac",
                                                               "prev_hash", "seq",   "subject", "ts"};

constexpr std::array<signed char, 256> HEX_VALUES = [] {
    std::array<signed char, 256> table{};
    table.fill(-1);
    for (int c = '0'; c <= '9'; ++c)
        table[static_cast<std::size_t>(c)] = static_cast<signed char>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c)
        table[static_cast<std::size_t>(c)] = static_cast<signed char>(c - 'a' + 10);
    return table;
}();

/// Bytes that stand for themselves inside a JSON string: printable ASCII but '"' and '\\'.
constexpr std::array<bool, 256> PLAIN = [] {
    std::array<bool, 256> table{};
    for (int c = 0x20; c < 0x80; ++c)
        table[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    return table;
}();

int hexValue(char c)
{
    return HEX_VALUES[static_cast<unsigned char>(c)];
}

bool isPlain(unsigned char c)
{
    return PLAIN[c];
}

/// Writes \a code as UTF-8 at \a out (at most four bytes); returns the end.
char* putUtf8(char* out, char32_t code)
{
    if (code < 0x80) {
        *out++ = static_cast<char>(code);
    } else if (code < 0x800) {
        *out++ = static_cast<char>(0xC0 | (code >> 6));
        *out++ = static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        *out++ = static_cast<char>(0xE0 | (code >> 12));
        *out++ = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        *out++ = static_cast<char>(0x80 | (code & 0x3F));
    } else {
        *out++ = static_cast<char>(0xF0 | (code >> 18));
        *out++ = static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        *out++ = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        *out++ = static_cast<char>(0x80 | (code & 0x3F));
    }
    return out;
}

/// The length of the well-formed UTF-8 sequence at \a p (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF), or 0.
qsizetype utf8Length(const unsigned char* p, qsizetype available)
{
    const unsigned char lead = p[0];
    qsizetype length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            low = 0xA0;
        else if (lead == 0xED)
            high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            low = 0x90;
        else if (lead == 0xF4)
            high = 0x8F;
    } else {
        return 0;
    }
    if (available < length || p[1] < low || p[1] > high)
        return 0;
    for (qsizetype i = 2; i < length; ++i) {
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    }
    return length;
}

} // namespace

bool ExportLineReader::fail(const QString& message)
{
    m_error = message;
    return false;
}

void ExportLineReader::skipSpace()
{
    while (m_at < m_line.size()) {
        const char c = m_line[m_at];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return;
        ++m_at;
    }
}

bool ExportLineReader::readString(QByteArray& out)
{
    if (m_at >= m_line.size() || m_line[m_at] != '"')
        return fail(QStringLiteral("expected a string at column %1").arg(m_at + 1));
    ++m_at;
    const auto* bytes = reinterpret_cast<const unsigned char*>(m_line.data());
    const qsizetype size = m_line.size();
    // Decoded text is never longer than its JSON form: write into that much room (the capacity
    // is kept between lines), then cut to what was written.
    out.resize(size - m_at);
    char* const begin = out.data();
    char* put = begin;
    for (;;) {
        const qsizetype runStart = m_at;
        while (m_at < size && isPlain(bytes[m_at]))
            ++m_at;
        std::memcpy(put, bytes + runStart, static_cast<std::size_t>(m_at - runStart));
        put += m_at - runStart;
        if (m_at >= size)
            return fail(QStringLiteral("a string is not closed"));
        const unsigned char c = bytes[m_at];
        if (c == '"') {
            ++m_at;
            out.resize(put - begin);
            return true;
        }
        if (c < 0x20)
            return fail(QStringLiteral("a control character is not escaped at column %1").arg(m_at + 1));
        if (c >= 0x80) {
            const qsizetype length = utf8Length(bytes + m_at, size - m_at);
            if (length == 0)
                return fail(QStringLiteral("invalid UTF-8 at column %1").arg(m_at + 1));
            std::memcpy(put, bytes + m_at, static_cast<std::size_t>(length));
            put += length;
            m_at += length;
            continue;
        }
        // An escape.
        if (m_at + 1 >= size)
            return fail(QStringLiteral("a string is not closed"));
        const char escaped = m_line[m_at + 1];
        m_at += 2;
        switch (escaped) {
        case '"':
        case '\\':
        case '/':
            *put++ = escaped;
            continue;
        case 'b':
            *put++ = '\b';
            continue;
        case 'f':
            *put++ = '\f';
            continue;
        case 'n':
            *put++ = '\n';
            continue;
        case 'r':
            *put++ = '\r';
            continue;
        case 't':
            *put++ = '\t';
            continue;
        case 'u':
            break;
        default:
            return fail(QStringLiteral("an unknown escape at column %1").arg(m_at - 1));
        }
        auto hex4 = [&](char32_t& unit) {
            if (size - m_at < 4)
                return false;
            unit = 0;
            for (int i = 0; i < 4; ++i) {
                const char h = m_line[m_at + i];
                int value = hexValue(h);
                if (value < 0 && h >= 'A' && h <= 'F')
                    value = h - 'A' + 10;
                if (value < 0)
                    return false;
                unit = (unit << 4) | static_cast<char32_t>(value);
            }
            m_at += 4;
            return true;
        };
        char32_t unit = 0;
        if (!hex4(unit))
            return fail(QStringLiteral("a malformed \\u escape at column %1").arg(m_at - 1));
        if (unit >= 0xDC00 && unit <= 0xDFFF)
            return fail(QStringLiteral("a lone low surrogate at column %1").arg(m_at - 5));
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            char32_t low = 0;
            if (size - m_at < 6 || m_line[m_at] != '\\' || m_line[m_at + 1] != 'u')
                return fail(QStringLiteral("a lone high surrogate at column %1").arg(m_at - 5));
            m_at += 2;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF)
                return fail(QStringLiteral("a lone high surrogate at column %1").arg(m_at - 11));
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        }
        put = putUtf8(put, unit); // \uXXXX (6 bytes) gives at most 3, a pair (12) 4
    }
}

bool ExportLineReader::readInteger(qint64& out)
{
    const qsizetype start = m_at;
    quint64 value = 0;
    while (m_at < m_line.size() && m_line[m_at] >= '0' && m_line[m_at] <= '9') {
        const auto digit = static_cast<quint64>(m_line[m_at] - '0');
        if (value > (static_cast<quint64>(std::numeric_limits<qint64>::max()) - digit) / 10)
            return fail(QStringLiteral("a number is too large at column %1").arg(start + 1));
        value = value * 10 + digit;
        ++m_at;
    }
    if (m_at == start)
        return fail(QStringLiteral("expected a non-negative integer at column %1").arg(start + 1));
    if (m_line[start] == '0' && m_at - start > 1)
        return fail(QStringLiteral("a number has a leading zero at column %1").arg(start + 1));
    if (m_at < m_line.size() && (m_line[m_at] == '.' || m_line[m_at] == 'e' || m_line[m_at] == 'E'))
        return fail(QStringLiteral("expected an integer at column %1").arg(start + 1));
    out = static_cast<qint64>(value);
    return true;
}

bool ExportLineReader::readDigest(crypto::Digest& out)
{
    const qsizetype start = m_at;
    constexpr auto DIGITS = 2 * static_cast<qsizetype>(sizeof(crypto::Digest));
    if (m_line.size() - m_at >= DIGITS + 2 && m_line[m_at] == '"' && m_line[m_at + DIGITS + 1] == '"') {
        // The usual form: 64 digits between quotes, decoded in place.
        const char* digits = m_line.data() + m_at + 1;
        bool decoded = true;
        for (std::size_t i = 0; i < out.size() && decoded; ++i) {
            const int high = hexValue(digits[2 * i]);
            const int low = hexValue(digits[2 * i + 1]);
            decoded = (high | low) >= 0;
            out[i] = static_cast<unsigned char>((high << 4) | low);
        }
        if (decoded) {
            m_at += DIGITS + 2;
            return true;
        }
        // Otherwise the general path below says precisely what is wrong.
    }
    if (!readString(m_scratch))
        return false;
    if (m_scratch.size() != 2 * static_cast<qsizetype>(out.size()))
        return fail(QStringLiteral("a hash is not 64 hex digits at column %1").arg(start + 1));
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int high = hexValue(m_scratch[2 * static_cast<qsizetype>(i)]);
        const int low = hexValue(m_scratch[2 * static_cast<qsizetype>(i) + 1]);
        if (high < 0 || low < 0)
            return fail(QStringLiteral("a hash is not lower-case hex at column %1").arg(start + 1));
        out[i] = static_cast<unsigned char>((high << 4) | low);
    }
    return true;
}

bool ExportLineReader::read(QByteArrayView line, Entry& out)
{
    m_line = line;
    m_at = 0;
    m_error.clear();
    skipSpace();
    if (m_at >= m_line.size() || m_line[m_at] != '{')
        return fail(QStringLiteral("the line is not a JSON object"));
    ++m_at;
    unsigned seen = 0;
    for (;;) {
        skipSpace();
        if (!readString(m_scratch))
            return false;
        unsigned field = FieldCount;
        for (unsigned i = 0; i < FieldCount; ++i) {
            if (QByteArrayView(m_scratch) == QByteArrayView(FIELD_NAMES[i].data(), qsizetype(FIELD_NAMES[i].size()))) {
                field = i;
                break;
            }
        }
        if (field == FieldCount)
            return fail(QStringLiteral("an unexpected field \"%1\"").arg(QString::fromUtf8(m_scratch)));
        if ((seen & (1U << field)) != 0)
            return fail(QStringLiteral("the field \"%1\" appears twice").arg(QString::fromUtf8(m_scratch)));
        seen |= 1U << field;
        skipSpace();
        if (m_at >= m_line.size() || m_line[m_at] != ':')
            return fail(QStringLiteral("expected ':' at column %1").arg(m_at + 1));
        ++m_at;
        skipSpace();
        bool read = false;
        switch (field) {
        case Action:
            read = readString(m_text[1]);
            break;
        case Actor:
            read = readString(m_text[0]);
            break;
        case Subject:
            read = readString(m_text[2]);
            break;
        case Details:
            read = readString(m_text[3]);
            break;
        case EntryHash:
            read = readDigest(out.entryHash);
            break;
        case PrevHash:
            read = readDigest(out.prevHash);
            break;
        case Mac:
            read = readDigest(out.mac);
            break;
        case Seq:
            read = readInteger(out.seq);
            break;
        case Ts:
            read = readInteger(out.timestampMs);
            break;
        default:
            break;
        }
        if (!read)
            return false;
        skipSpace();
        if (m_at < m_line.size() && m_line[m_at] == ',') {
            ++m_at;
            continue;
        }
        if (m_at < m_line.size() && m_line[m_at] == '}') {
            ++m_at;
            break;
        }
        return fail(QStringLiteral("expected ',' or '}' at column %1").arg(m_at + 1));
    }
    skipSpace();
    if (m_at != m_line.size())
        return fail(QStringLiteral("unexpected text after the object at column %1").arg(m_at + 1));
    if (seen != (1U << FieldCount) - 1) {
        for (unsigned i = 0; i < FieldCount; ++i) {
            if ((seen & (1U << i)) == 0)
                return fail(QStringLiteral("the field \"%1\" is missing")
                                .arg(QLatin1StringView(FIELD_NAMES[i].data(), qsizetype(FIELD_NAMES[i].size()))));
        }
    }
    // The canonical encoding, as AuditEntry::canonicalEncoding() lays it out.
    AuditEntry::encode(m_encoding, out.seq, out.timestampMs, m_text[0], m_text[1], m_text[2], m_text[3],
                       crypto::view(out.prevHash));
    out.encoding = m_encoding;
    return true;
}

} // namespace countersign::audit
