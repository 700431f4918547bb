#include "http/router.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace countersign;

namespace {

QByteArray readDoc(const QString& name)
{
    QFile file(QDir::cleanPath(QStringLiteral(COUNTERSIGN_TEST_DATA_DIR "/../../docs/") + name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

/// What a client author reads must name every route the endpoint serves: a client written from
/// the docs alone cannot use (or defend against) a route it never heard of.
class TestDocs final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyRouteIsDocumentedForItsAudience_data()
    {
        QTest::addColumn<QByteArray>("route");
        for (const QByteArray& route : http::Router::routes())
            QTest::newRow(route.constData()) << route;
    }

    void everyRouteIsDocumentedForItsAudience()
    {
        QFETCH(QByteArray, route);
        const QByteArray method = route.left(route.indexOf(' '));
        const QByteArray path = route.mid(route.indexOf(' ') + 1);
        const http::RouteMatch match = http::Router::match(method, QByteArray(path).replace("{id}", "req_x"));
        QVERIFY(match.route);
        const http::RouteAudience audience = http::audienceOf(*match.route);
        const bool forRuntimes = audience == http::RouteAudience::Anyone || audience == http::RouteAudience::Runtime ||
                                 audience == http::RouteAudience::RuntimeOrMember;
        const bool forMembers = audience == http::RouteAudience::Invitee || audience == http::RouteAudience::Member ||
                                audience == http::RouteAudience::RuntimeOrMember;
        // Each guide lists its routes in a table row that starts with "| `METHOD /path".
        const QByteArray row = "| `" + route;
        if (forRuntimes)
            QVERIFY2(
                readDoc(QStringLiteral("runtime-guide.md")).contains(row),
                qPrintable(QStringLiteral("docs/runtime-guide.md has no row for %1").arg(QString::fromLatin1(route))));
        if (forMembers)
            QVERIFY2(readDoc(QStringLiteral("team.md")).contains(row),
                     qPrintable(QStringLiteral("docs/team.md has no row for %1").arg(QString::fromLatin1(route))));
    }
};

QTEST_GUILESS_MAIN(TestDocs)
#include "tst_docs.moc"
