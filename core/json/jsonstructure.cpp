#include "jsonstructure.h"

#include <QList>
#include <QSet>
#include <QString>

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
            break;
        }
    }
    return {};
}

} // namespace countersign::json
