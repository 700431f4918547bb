#include "json/canonicaljson.h"
#include "json/jsonstructure.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <bit>
#include <cmath>

using countersign::json::canonicalJson;

namespace {

/// A random JSON string literal, written the way a sender might: characters from every range
/// that canonical JSON treats differently (controls, quotes and backslashes, U+2028, the top of
/// the BMP, surrogate pairs), each written raw or as a \\u escape.
QByteArray randomString(QRandomGenerator& random, QString* decoded = nullptr)
{
    static const char32_t POOL[] = {U'a',   U'Z',    U'0',    U' ',    U'"',     U'\\',   U'/',   U'\b',  U'\f',
                                    U'\n',  U'\r',   U'\t',   0x00,    0x01,     0x1f,    0x7f,   0x80,   0xe9,
                                    0xff,   0x2028,  0x2029,  0x20ac,  0xd7ff,   0xe000,  0xfb33, 0xfeff, 0xfffd,
                                    0xffff, 0x10000, 0x1f600, 0x1f4a9, 0x10ffff, 0x1d11e, 0x100,  0x7ff};
    QByteArray out("\"");
    QString text;
    const int length = random.bounded(0, 8);
    for (int i = 0; i < length; ++i) {
        const char32_t c = POOL[random.bounded(int(std::size(POOL)))];
        text.append(QString::fromUcs4(&c, 1));
        const QString one = QString::fromUcs4(&c, 1);
        const bool mustEscape = c < 0x20 || c == U'"' || c == U'\\';
        if (mustEscape || random.bounded(2) == 0) {
            for (const QChar unit : one)
                out.append(QByteArray("\\u") + QByteArray::number(unit.unicode(), 16).rightJustified(4, '0').toUpper());
        } else {
            out.append(one.toUtf8());
        }
    }
    out.append('"');
    if (decoded)
        *decoded = text;
    return out;
}

QByteArray randomNumber(QRandomGenerator& random)
{
    switch (random.bounded(6)) {
    case 0: { // any finite double, in a text that reads back to it
        double value = 0;
        do {
            value = std::bit_cast<double>(random.generate64());
        } while (!std::isfinite(value));
        return QByteArray::number(value, 'g', 17);
    }
    case 1: // an integer within the safe range
        return QByteArray::number(random.bounded(Q_INT64_C(-9007199254740991), Q_INT64_C(9007199254740992)));
    case 2: // a decimal fraction such as a price
        return QByteArray::number(random.bounded(-100000, 100000)) + '.' +
               QByteArray::number(random.bounded(0, 1000000)).rightJustified(random.bounded(1, 8), '0');
    case 3: // a mantissa and an exponent, around ECMAScript's switches between layouts
        return QByteArray::number(random.bounded(1, 100000)) + (random.bounded(2) ? 'e' : 'E') +
               QByteArray::number(random.bounded(-30, 30));
    case 4: // a small integer written as a double
        return QByteArray::number(random.bounded(-1000, 1000)) + ".0";
    default: // a power of two, exact in binary, long in decimal
        return QByteArray::number(std::ldexp(1.0, random.bounded(-1074, 1024)), 'g', 17);
    }
}

QByteArray randomValue(QRandomGenerator& random, int depth)
{
    const int kind = random.bounded(depth > 2 ? 5 : 7);
    switch (kind) {
    case 0:
        return "null";
    case 1:
        return random.bounded(2) ? "true" : "false";
    case 2:
    case 3:
        return randomNumber(random);
    case 4:
        return randomString(random);
    case 5: {
        QByteArrayList elements;
        for (int i = random.bounded(0, 5); i > 0; --i)
            elements.append(randomValue(random, depth + 1));
        return '[' + elements.join(',') + ']';
    }
    default: {
        QByteArrayList members;
        QSet<QString> keys;
        for (int i = random.bounded(0, 6); i > 0; --i) {
            QString key;
            const QByteArray literal = randomString(random, &key);
            if (keys.contains(key))
                continue;
            keys.insert(key);
            members.append(literal + (random.bounded(2) ? ": " : ":") + randomValue(random, depth + 1));
        }
        return '{' + members.join(random.bounded(2) ? ", " : ",") + '}';
    }
    }
}

QByteArray randomDocument(QRandomGenerator& random)
{
    QByteArray text;
    do {
        text = randomValue(random, 0);
    } while (!text.startsWith('{') && !text.startsWith('['));
    return text;
}

} // namespace

class TestCanonicalJson final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void structureChecks_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("plain") << QByteArray("{\"a\":1,\"b\":{\"a\":2},\"c\":[{\"a\":3},{\"a\":4}]}") << true;
        QTest::newRow("same key in sibling objects") << QByteArray("[{\"k\":1},{\"k\":2}]") << true;
        QTest::newRow("key text inside a string value") << QByteArray("{\"a\":\"\\\"a\\\":1,\",\"b\":2}") << true;
        QTest::newRow("duplicate") << QByteArray("{\"a\":1,\"a\":2}") << false;
        QTest::newRow("duplicate after an array") << QByteArray("{\"a\":[1,{\"a\":0}],\"a\":2}") << false;
        QTest::newRow("duplicate by a u-escape") << QByteArray("{\"ab\":1,\"\\u0061b\":2}") << false;
        QTest::newRow("duplicate with an escaped newline") << QByteArray("{\"a\\nb\":1,\"a\\nb\":2}") << false;
        QTest::newRow("escaped backslash-n is another key") << QByteArray("{\"a\\\\nb\":1,\"a\\nb\":2}") << true;
        QTest::newRow("duplicate in UTF-8 and escaped") << QByteArray("{\"\xc3\xa9\":1,\"\\u00e9\":2}") << false;
        QTest::newRow("depth 64") << QByteArray(64, '[') + QByteArray(64, ']') << true;
        QTest::newRow("depth 65") << QByteArray(65, '[') + QByteArray(65, ']') << false;
        QTest::newRow("stray closer (the parser's to refuse)") << QByteArray("]]{") << true;
        QTest::newRow("unterminated string (the parser's to refuse)") << QByteArray("{\"a") << true;

        // Numbers: accepted when the text is exactly the value of the double every reader makes of it.
        QTest::newRow("1.0 is the double 1") << QByteArray("[1.0]") << true;
        QTest::newRow("exponent forms") << QByteArray("[1e2, 1E30, 4.50, 2e-3, 1e-27, -12.5e-1, 1e308]") << true;
        QTest::newRow("0.1 is what its double prints") << QByteArray("[0.1, -0.3, 333333333.3333333]") << true;
        QTest::newRow("largest safe integers") << QByteArray("[9007199254740991, -9007199254740991]") << true;
        QTest::newRow("smallest subnormal") << QByteArray("[5e-324]") << true;
        QTest::newRow("subnormal with digits it does not keep") << QByteArray("[4.9406564584124654e-324]") << false;
        QTest::newRow("zero in any form") << QByteArray("[0, 0.0, 0e5, 0.000e-3]") << true;
        QTest::newRow("2^53 + 1 reads as 2^53") << QByteArray("[9007199254740993]") << false;
        QTest::newRow("2^53 itself is past the safe range") << QByteArray("[9007199254740992]") << false;
        QTest::newRow("beyond 2^53 negative") << QByteArray("{\"a\":-18014398509481984}") << false;
        QTest::newRow("2^54 as a double") << QByteArray("[1.8014398509481984e16, 18014398509481984.0]") << true;
        QTest::newRow("2^54 + 1 as a double") << QByteArray("[1.8014398509481985e16]") << false;
        QTest::newRow("more digits than a double keeps") << QByteArray("[0.30000000000000001]") << false;
        QTest::newRow("the RFC 8785 example's first number") << QByteArray("[333333333.33333329]") << false;
        QTest::newRow("overflow") << QByteArray("[1e400]") << false;
        QTest::newRow("underflow") << QByteArray("[1e-400]") << false;
        QTest::newRow("negative zero") << QByteArray("[-0]") << false;
        QTest::newRow("negative zero with a fraction") << QByteArray("{\"n\":-0.0e7}") << false;
        QTest::newRow("a number-like string is a string") << QByteArray("[\"9007199254740993\", \"-0\"]") << true;
        QTest::newRow("a number in a key's place") << QByteArray("{\"k\":[1,{\"j\":9007199254740993}]}") << false;

        // Strings must be Unicode: lone surrogates (escaped) and ill-formed UTF-8 are refused.
        QTest::newRow("surrogate pair") << QByteArray("[\"\\ud83d\\ude00\", \"\\uD83D\\uDE00\"]") << true;
        QTest::newRow("non-BMP as UTF-8") << QByteArray("[\"\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"]") << true;
        QTest::newRow("lone high surrogate") << QByteArray("[\"a\\ud800\"]") << false;
        QTest::newRow("lone high surrogate before a letter") << QByteArray("[\"\\ud800\\u0041\"]") << false;
        QTest::newRow("lone low surrogate") << QByteArray("[\"\\udc00z\"]") << false;
        QTest::newRow("two high surrogates") << QByteArray("[\"\\ud800\\ud800\"]") << false;
        QTest::newRow("lone surrogate in a key") << QByteArray("{\"\\udfff\":1}") << false;
        QTest::newRow("escaped backslash then u") << QByteArray("[\"\\\\ud800\"]") << true;
        QTest::newRow("surrogate encoded in UTF-8") << QByteArray("[\"\xed\xa0\x80\"]") << false;
        QTest::newRow("overlong UTF-8") << QByteArray("[\"\xc0\xaf\"]") << false;
        QTest::newRow("stray continuation byte") << QByteArray("[\"\x80\"]") << false;
        QTest::newRow("beyond U+10FFFF") << QByteArray("[\"\xf4\x90\x80\x80\"]") << false;
        QTest::newRow("truncated sequence") << QByteArray("[\"\xe2\x82\"]") << false;
    }
    void structureChecks()
    {
        QFETCH(QByteArray, json);
        QFETCH(bool, accepted);
        const auto checked = countersign::json::checkStructure(json, 64);
        QCOMPARE(bool(checked), accepted);
        if (!accepted)
            QCOMPARE(checked.error().code, countersign::ErrorCode::InvalidArgument);
    }

    void encodes_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("keys sorted, no spaces")
            << QByteArray(R"({ "b": 1, "a": [true, false, null] })") << QByteArray(R"({"a":[true,false,null],"b":1})");
        QTest::newRow("nested objects sorted") << QByteArray(R"({"z":{"y":2,"x":1},"m":[{"d":4,"c":3}]})")
                                               << QByteArray(R"({"m":[{"c":3,"d":4}],"z":{"x":1,"y":2}})");
        QTest::newRow("utf16 key order") << QByteArray(R"({"é":1,"z":2,"A":3})")
                                         << QByteArray("{\"A\":3,\"z\":2,\"\xc3\xa9\":1}");
        QTest::newRow("integral doubles") << QByteArray(R"([1.0, -0, 0.0, 100, -7])") << QByteArray("[1,0,0,100,-7]");
        QTest::newRow("fractions shortest")
            << QByteArray(R"([0.1, 1.5, -2.25, 1e-7])") << QByteArray("[0.1,1.5,-2.25,1e-7]");
        // Plain literals: moc cannot read raw strings holding \".
        QTest::newRow("escapes") << QByteArray("[\"q\\\"b\\\\s/\\n\\t\\r\\b\\f\\u0001\"]")
                                 << QByteArray("[\"q\\\"b\\\\s/\\n\\t\\r\\b\\f\\u0001\"]");
        QTest::newRow("unicode kept raw") << QByteArray(R"(["\u00e9\u2028\ud83d\ude00"])")
                                          << QByteArray("[\"\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80\"]");
        QTest::newRow("empty containers") << QByteArray(R"({"a":{},"b":[]})") << QByteArray(R"({"a":{},"b":[]})");
    }
    void encodes()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, expected);
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(input, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QJsonValue value = document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
        QCOMPARE(canonicalJson(value), expected);
    }

    // RFC 8785 Appendix B: IEEE 754 doubles (as hex bits) and how ECMAScript, hence JCS, writes them.
    void rfc8785Numbers_data()
    {
        QTest::addColumn<quint64>("bits");
        QTest::addColumn<QByteArray>("expected");
        const std::pair<quint64, const char*> samples[] = {
            {0x0000000000000000, "0"},
            {0x8000000000000000, "0"}, // minus zero
            {0x0000000000000001, "5e-324"},
            {0x8000000000000001, "-5e-324"},
            {0x7fefffffffffffff, "1.7976931348623157e+308"},
            {0xffefffffffffffff, "-1.7976931348623157e+308"},
            {0x4340000000000000, "9007199254740992"},
            {0xc340000000000000, "-9007199254740992"},
            {0x4430000000000000, "295147905179352830000"},
            {0x44b52d02c7e14af5, "9.999999999999997e+22"},
            {0x44b52d02c7e14af6, "1e+23"},
            {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
            {0x444b1ae4d6e2ef4e, "999999999999999700000"},
            {0x444b1ae4d6e2ef4f, "999999999999999900000"},
            {0x444b1ae4d6e2ef50, "1e+21"},
            {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
            {0x3eb0c6f7a0b5ed8d, "0.000001"},
            {0x41b3de4355555553, "333333333.3333332"},
            {0x41b3de4355555554, "333333333.33333325"},
            {0x41b3de4355555555, "333333333.3333333"},
            {0x41b3de4355555556, "333333333.3333334"},
            {0x41b3de4355555557, "333333333.33333343"},
            {0xbecbf647612f3696, "-0.0000033333333333333333"},
            {0x43143ff3c1cb0959, "1424953923781206.2"}, // round to even
        };
        for (const auto& [bits, expected] : samples)
            QTest::newRow(expected) << bits << QByteArray(expected);
    }
    void rfc8785Numbers()
    {
        QFETCH(quint64, bits);
        QFETCH(QByteArray, expected);
        QCOMPARE(canonicalJson(QJsonValue(std::bit_cast<double>(bits))), expected);
        QCOMPARE(canonicalJson(QJsonArray{std::bit_cast<double>(bits)}), "[" + expected + "]");
    }

    // RFC 8785 sections 3.2.2 and 3.2.3: the worked examples.
    void rfc8785Examples_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("3.2.2 serialization")
            << QByteArray("{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
                          "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                          "  \"literals\": [null, true, false]\n}")
            << QByteArray("{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                          "\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
        QTest::newRow("3.2.3 sorting")
            << QByteArray("{\n  \"\\u20ac\": \"Euro Sign\",\n  \"\\r\": \"Carriage Return\",\n"
                          "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n  \"1\": \"One\",\n"
                          "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n  \"\\u0080\": \"Control\",\n"
                          "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n}")
            << QByteArray("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
                          "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\",\"\xe2\x82\xac\":\"Euro Sign\","
                          "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
                          "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
    }
    void rfc8785Examples()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, expected);
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(input, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(canonicalJson(document.object()), expected);
    }

    /// Many generated JSON texts, canonicalised by us and by the npm package "canonicalize" (an
    /// independent RFC 8785 implementation, installed by scripts/install-deps.sh): byte for byte.
    void matchesAnIndependentImplementation()
    {
        const QString script = QStringLiteral(COUNTERSIGN_JCS_DIR "/canonicalize-lines.js");
        QVERIFY2(QFile::exists(QStringLiteral(COUNTERSIGN_JCS_DIR "/node_modules/canonicalize/package.json")),
                 "the test-only npm package is missing: run scripts/install-deps.sh");
        QRandomGenerator random(20260601);
        QList<QByteArray> texts;
        for (int i = 0; i < 3000; ++i)
            texts.append(randomDocument(random));
        for (const char* edge :
             {"[1.0, -0, 0.0, 1e21, 1e-7, 1e-6, 0.000001, 123e-20, 5e-324, 1.7976931348623157e308, 1E30, 4.50]",
              "[9007199254740993, 18014398509481985, 295147905179352825856, 1e23, 9.999999999999999e22, 0.1]",
              "[2.2250738585072014e-308, 2.225073858507201e-308, 1.5e300, -1.5e-300, 100, 1e20, 1e22, 12e20]"})
            texts.append(QByteArray(edge));

        QProcess node;
        node.start(QStringLiteral("node"), {script});
        QVERIFY2(node.waitForStarted(30000), "node (Node.js) is missing: run scripts/install-deps.sh");
        node.write(texts.join('\n') + '\n');
        node.closeWriteChannel();
        QVERIFY(node.waitForFinished(120000));
        QCOMPARE(node.exitCode(), 0);
        const QList<QByteArray> theirs = node.readAllStandardOutput().split('\n');
        QCOMPARE(theirs.size(), texts.size() + 1); // and the last newline's empty rest

        int accepted = 0;
        for (qsizetype i = 0; i < texts.size(); ++i) {
            QJsonParseError error;
            const QJsonDocument document = QJsonDocument::fromJson(texts.at(i), &error);
            QVERIFY2(error.error == QJsonParseError::NoError, texts.at(i).constData());
            const QJsonValue value = document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
            const QByteArray ours = canonicalJson(value);
            QVERIFY2(ours == theirs.at(i), qPrintable(QStringLiteral("input %1\n ours   %2\n theirs %3")
                                                          .arg(QString::fromUtf8(texts.at(i)), QString::fromUtf8(ours),
                                                               QString::fromUtf8(theirs.at(i)))));
            if (countersign::json::checkStructure(texts.at(i)))
                ++accepted;
        }
        // Most generated documents stay within what a body may carry; the rest are refused.
        QVERIFY2(accepted > texts.size() / 4, qPrintable(QString::number(accepted)));
        QVERIFY2(accepted < texts.size(), qPrintable(QString::number(accepted)));
    }

    void sameValueSameBytes()
    {
        const QJsonDocument a = QJsonDocument::fromJson(R"({"amount": 10, "to": "acct-1", "memo": "x"})");
        const QJsonDocument b = QJsonDocument::fromJson("{\n  \"memo\":\"x\",\"to\" : \"acct-1\",\"amount\":10.0}");
        QCOMPARE(canonicalJson(a.object()), canonicalJson(b.object()));
        const QJsonDocument c = QJsonDocument::fromJson(R"({"amount": 11, "to": "acct-1", "memo": "x"})");
        QVERIFY(canonicalJson(a.object()) != canonicalJson(c.object()));
    }

    void outputParsesBack()
    {
        const QJsonDocument original = QJsonDocument::fromJson(R"({"k":["\u0000 nul", {"deep": [1, 2.5, "x"]}]})");
        const QByteArray encoded = canonicalJson(original.object());
        QJsonParseError error;
        const QJsonDocument reparsed = QJsonDocument::fromJson(encoded, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(reparsed, original);
    }
};

QTEST_GUILESS_MAIN(TestCanonicalJson)
#include "tst_canonicaljson.moc"
