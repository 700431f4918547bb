#include "api/router.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
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
        for (const QByteArray& route : api::Router::routes())
            QTest::newRow(route.constData()) << route;
    }

    void everyRouteIsDocumentedForItsAudience()
    {
        QFETCH(QByteArray, route);
        const QByteArray method = route.left(route.indexOf(' '));
        const QByteArray path = route.mid(route.indexOf(' ') + 1);
        const api::RouteMatch match = api::Router::match(method, QByteArray(path).replace("{id}", "req_x"));
        QVERIFY(match.route);
        const api::RouteAudience audience = api::audienceOf(*match.route);
        const bool forRuntimes = audience == api::RouteAudience::Anyone || audience == api::RouteAudience::Runtime ||
                                 audience == api::RouteAudience::RuntimeOrMember;
        const bool forMembers = audience == api::RouteAudience::Invitee || audience == api::RouteAudience::Member ||
                                audience == api::RouteAudience::RuntimeOrMember;
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

    /// The repository stands alone: a comment explains itself by the project's own docs/ or a
    /// public specification, never by a document only some readers have (a product spec's
    /// section numbers, a style guide kept elsewhere), and every docs/ page it names exists.
    void sourcesCiteOnlyWhatTheRepositoryHolds()
    {
        const QDir root(QDir::cleanPath(QStringLiteral(COUNTERSIGN_TEST_DATA_DIR "/../..")));
        static const QRegularExpression OUTSIDE(QStringLiteral(R"(\bSPEC\b\s*(section|§)|\bSTYLE(\.md|\s*:))"));
        static const QRegularExpression DOC(QStringLiteral(R"(\bdocs/[A-Za-z0-9_/-]+\.md)"));
        QStringList paths{root.filePath(QStringLiteral("README.md"))};
        for (const QString& folder :
             {QStringLiteral("core"), QStringLiteral("app"), QStringLiteral("ui"), QStringLiteral("tests"),
              QStringLiteral("scripts"), QStringLiteral("cmake"), QStringLiteral("bench"), QStringLiteral("docs")}) {
            QDirIterator it(root.filePath(folder),
                            {QStringLiteral("*.cpp"), QStringLiteral("*.h"), QStringLiteral("*.sh"),
                             QStringLiteral("*.cmake"), QStringLiteral("CMakeLists.txt"), QStringLiteral("*.md")},
                            QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString path = it.next();
                if (!path.contains(u"/node_modules/"))
                    paths << path;
            }
        }
        QStringList problems;
        int files = 0;
        for (const QString& path : std::as_const(paths)) {
            const QString relative = root.relativeFilePath(path);
            if (relative == u"tests/tst_docs.cpp")
                continue; // the patterns above
            QFile file(path);
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
            ++files;
            const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n');
            for (qsizetype i = 0; i < lines.size(); ++i) {
                const QString where = relative + u':' + QString::number(i + 1);
                if (OUTSIDE.match(lines.at(i)).hasMatch())
                    problems << where + QStringLiteral(" cites a document outside the repository");
                for (auto cited = DOC.globalMatch(lines.at(i)); cited.hasNext();) {
                    const QString page = cited.next().captured(0);
                    if (!root.exists(page))
                        problems << where + QStringLiteral(" cites %1, which does not exist").arg(page);
                }
            }
        }
        QVERIFY(files > 100);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(TestDocs)
#include "tst_docs.moc"
