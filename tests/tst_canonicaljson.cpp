#include "json/canonicaljson.h"
#include "json/jsonstructure.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using countersign::json::canonicalJson;

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
            << QByteArray(R"([0.1, 1.5, -2.25, 1e-7])") << QByteArray("[0.1,1.5,-2.25,1e-07]");
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
