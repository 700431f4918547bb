// The strict reader of audit export entry lines: it must read back exactly what the writer
// wrote (the hash covers those bytes), and refuse anything that is not one well-formed
// entry object.
#include "audit/auditexport.h"
#include "evidence/exportline.h"

#include <QJsonDocument>
#include <QTest>

using namespace countersign;
using audit::ExportLineReader;

namespace {

audit::AuditEntry sample(const QString& subject, const QByteArray& details = "{\"n\":1}")
{
    audit::AuditEntry entry;
    entry.seq = 42;
    entry.timestampMs = 1'764'000'000'123;
    entry.actor = QStringLiteral("runtime:ci");
    entry.action = QStringLiteral("request.created");
    entry.subject = subject;
    entry.details = details;
    entry.prevHash = QByteArray(32, '\x5a');
    entry.entryHash = entry.computeHash();
    entry.mac = QByteArray(32, '\x07');
    return entry;
}

QByteArray lineOf(const audit::AuditEntry& entry)
{
    return audit::AuditExport::entryLine(entry).chopped(1);
}

} // namespace

class TestExportLine final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsWhatTheWriterWrote_data()
    {
        QTest::addColumn<QString>("subject");
        QTest::addColumn<QByteArray>("details");
        QTest::newRow("plain") << QStringLiteral("request:7") << QByteArray("{}");
        QTest::newRow("quotes and backslashes") << QStringLiteral("a\"b\\c/d") << QByteArray("{\"k\":\"\\\\\"}");
        QTest::newRow("control characters")
            << QStringLiteral("line\nbreak\ttab\r\x01\x1f\x7f") << QByteArray("{\"s\":\"\\u0000\"}");
        QTest::newRow("NUL") << QString(QChar(0)) + QStringLiteral("after") << QByteArray("{}");
        QTest::newRow("two, three and four bytes")
            << QString::fromUtf8("\xc3\xa9 \xe2\x80\xa8 \xe2\x80\xae \xf0\x9f\x98\x80")
            << QByteArray("{\"e\":\"\xc3\xa9\"}");
        QTest::newRow("empty") << QString() << QByteArray();
    }
    void readsWhatTheWriterWrote()
    {
        QFETCH(QString, subject);
        QFETCH(QByteArray, details);
        const audit::AuditEntry entry = sample(subject, details);
        ExportLineReader reader;
        ExportLineReader::Entry read;
        QVERIFY2(reader.read(lineOf(entry), read), qPrintable(reader.error()));
        QCOMPARE(read.seq, entry.seq);
        QCOMPARE(read.timestampMs, entry.timestampMs);
        QCOMPARE(read.encoding.toByteArray(), entry.canonicalEncoding());
        QCOMPARE(crypto::toByteArray(read.entryHash), entry.entryHash);
        QCOMPARE(crypto::toByteArray(read.prevHash), entry.prevHash);
        QCOMPARE(crypto::toByteArray(read.mac), entry.mac);
    }

    void acceptsJsonWhitespaceAndAnyKeyOrder()
    {
        const audit::AuditEntry entry = sample(QStringLiteral("s: a, b"));
        const QByteArray compact = lineOf(entry);
        // Indented: spaces and newlines between the tokens, none inside the strings.
        QByteArray indented = QJsonDocument::fromJson(compact).toJson(QJsonDocument::Indented);
        QVERIFY(indented.count('\n') > 5);
        // seq moved to the front.
        QByteArray reordered = compact;
        QVERIFY(reordered.contains("\"seq\":42,"));
        reordered.replace("\"seq\":42,", "").replace(0, 1, "{\"seq\":42,");
        ExportLineReader reader;
        ExportLineReader::Entry read;
        for (const QByteArray& line : {indented, reordered}) {
            QVERIFY2(reader.read(line, read), qPrintable(reader.error()));
            QCOMPARE(read.encoding.toByteArray(), entry.canonicalEncoding());
        }
    }

    void decodesEscapesAsJsonDoes()
    {
        // \u escapes, a surrogate pair and upper-case escape digits mean the same text.
        const audit::AuditEntry entry = sample(QString::fromUtf8("\xc3\xa9\xf0\x9f\x98\x80/"));
        QByteArray line = lineOf(entry);
        line.replace("\xc3\xa9\xf0\x9f\x98\x80/", "\\u00E9\\ud83d\\ude00\\/");
        ExportLineReader reader;
        ExportLineReader::Entry read;
        QVERIFY2(reader.read(line, read), qPrintable(reader.error()));
        QCOMPARE(read.encoding.toByteArray(), entry.canonicalEncoding());
    }

    void refusesMalformedLines_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<QString>("error");
        QTest::newRow("duplicate key") << QByteArray("\"seq\":42") << QByteArray("\"seq\":42,\"seq\":42")
                                       << QStringLiteral("twice");
        QTest::newRow("missing key") << QByteArray(",\"seq\":42") << QByteArray()
                                     << QStringLiteral("\"seq\" is missing");
        QTest::newRow("unknown key") << QByteArray("\"seq\":42") << QByteArray("\"seq\":42,\"x\":1")
                                     << QStringLiteral("unexpected field");
        QTest::newRow("upper-case hash") << QByteArray("5a5a5a") << QByteArray("5A5a5a") << QStringLiteral("hex");
        QTest::newRow("short hash") << QByteArray("5a5a5a") << QByteArray("5a5a") << QStringLiteral("64 hex");
        QTest::newRow("leading zero") << QByteArray("\"seq\":42") << QByteArray("\"seq\":042")
                                      << QStringLiteral("leading zero");
        QTest::newRow("negative") << QByteArray("\"seq\":42") << QByteArray("\"seq\":-42")
                                  << QStringLiteral("non-negative integer");
        QTest::newRow("fraction") << QByteArray("\"seq\":42") << QByteArray("\"seq\":42.0")
                                  << QStringLiteral("integer");
        QTest::newRow("huge") << QByteArray("\"seq\":42") << QByteArray("\"seq\":99999999999999999999")
                              << QStringLiteral("too large");
        QTest::newRow("number as string")
            << QByteArray("\"seq\":42") << QByteArray("\"seq\":\"42\"") << QStringLiteral("integer");
        QTest::newRow("invalid UTF-8") << QByteArray("request:") << QByteArray("request\xff:")
                                       << QStringLiteral("invalid UTF-8");
        QTest::newRow("overlong UTF-8") << QByteArray("request:") << QByteArray("request\xc0\xaf:")
                                        << QStringLiteral("invalid UTF-8");
        QTest::newRow("encoded surrogate")
            << QByteArray("request:") << QByteArray("request\xed\xa0\x80:") << QStringLiteral("invalid UTF-8");
        QTest::newRow("lone high surrogate")
            << QByteArray("request:") << QByteArray("request\\ud800:") << QStringLiteral("lone high surrogate");
        QTest::newRow("lone low surrogate")
            << QByteArray("request:") << QByteArray("request\\udc00:") << QStringLiteral("lone low surrogate");
        QTest::newRow("raw control character")
            << QByteArray("request:") << QByteArray("request\t:") << QStringLiteral("control character");
        QTest::newRow("unknown escape") << QByteArray("request:") << QByteArray("request\\x:")
                                        << QStringLiteral("unknown escape");
        QTest::newRow("text after the object") << QByteArray("}") << QByteArray("}x") << QStringLiteral("after");
        QTest::newRow("not closed") << QByteArray("}") << QByteArray() << QStringLiteral("expected");
        QTest::newRow("an array") << QByteArray("{") << QByteArray("[{") << QStringLiteral("not a JSON object");
    }
    void refusesMalformedLines()
    {
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        QFETCH(QString, error);
        QByteArray line = lineOf(sample(QStringLiteral("request:1")));
        ExportLineReader reader;
        ExportLineReader::Entry read;
        QVERIFY2(reader.read(line, read), qPrintable(reader.error()));
        // The object's own closing brace is the last one (details holds braces too).
        const qsizetype at = from == "}" ? line.lastIndexOf(from) : line.indexOf(from);
        QVERIFY2(at >= 0, line.constData());
        line.replace(at, from.size(), to);
        QVERIFY2(!reader.read(line, read), line.constData());
        QVERIFY2(reader.error().contains(error), qPrintable(reader.error()));
    }

    void refusesEmptyAndTruncatedLines()
    {
        const QByteArray line = lineOf(sample(QStringLiteral("request:1")));
        ExportLineReader reader;
        ExportLineReader::Entry read;
        QVERIFY(!reader.read(QByteArrayView(), read));
        // Every proper prefix is refused (no read past the end).
        for (qsizetype length = 0; length < line.size(); ++length)
            QVERIFY2(!reader.read(QByteArrayView(line).first(length), read), line.left(length).constData());
    }
};

QTEST_GUILESS_MAIN(TestExportLine)
#include "tst_exportline.moc"
