#include "evidence/merkle.h"
#include "testsupport.h"

#include <QTest>

using namespace countersign::audit;

namespace {

// The leaf inputs of RFC 6962's reference tests (certificate-transparency test vectors).
QList<QByteArray> rfcLeaves()
{
    return {QByteArray(),
            QByteArray::fromHex("00"),
            QByteArray::fromHex("10"),
            QByteArray::fromHex("2021"),
            QByteArray::fromHex("3031"),
            QByteArray::fromHex("40414243"),
            QByteArray::fromHex("5051525354555657"),
            QByteArray::fromHex("606162636465666768696a6b6c6d6e6f")};
}

merkle::MemoryTree treeOf(int size)
{
    merkle::MemoryTree tree;
    const QList<QByteArray> leaves = rfcLeaves();
    for (int i = 0; i < size; ++i)
        tree.append(merkle::leafHash(i < leaves.size() ? leaves.at(i) : QByteArray::number(i)));
    return tree;
}

QList<QByteArray> hexes(std::initializer_list<const char*> list)
{
    QList<QByteArray> out;
    for (const char* hex : list)
        out.append(QByteArray::fromHex(hex));
    return out;
}

QByteArray flipped(QByteArray bytes, int bit)
{
    bytes[bit / 8] = static_cast<char>(bytes.at(bit / 8) ^ (1 << (bit % 8)));
    return bytes;
}

} // namespace

class TestMerkle final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rootsMatchTheRfcVectors_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<QByteArray>("root");
        const char* roots[] = {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                               "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                               "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                               "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                               "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                               "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                               "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                               "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
        for (int size = 0; size <= 8; ++size)
            QTest::addRow("size %d", size) << size << QByteArray::fromHex(roots[size]);
    }

    void rootsMatchTheRfcVectors()
    {
        QFETCH(int, size);
        QFETCH(QByteArray, root);
        QCOMPARE(treeOf(size).root().toHex(), root.toHex());
        if (size == 0)
            QCOMPARE(merkle::emptyRoot().toHex(), root.toHex());
    }

    void proofsMatchTheRfcDefinition()
    {
        // Computed independently from RFC 6962 section 2.1.1 and 2.1.2 over the same leaves.
        const merkle::MemoryTree eight = treeOf(8);
        const merkle::MemoryTree seven = treeOf(7);
        merkle::ProofBuilder proofs8(eight.source());
        merkle::ProofBuilder proofs7(seven.source());
        QCOMPARE(*proofs8.inclusionProof(2, 8),
                 hexes({"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}));
        QCOMPARE(*proofs7.inclusionProof(5, 7),
                 hexes({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}));
        QCOMPARE(*proofs7.consistencyProof(3, 7),
                 hexes({"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                        "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}));
        QCOMPARE(*proofs8.consistencyProof(4, 8),
                 hexes({"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}));
    }

    void everyInclusionProofVerifiesAndNoTamperedOneDoes()
    {
        const int maxSize = 33;
        merkle::MemoryTree tree;
        QList<QByteArray> leaves;
        for (int size = 1; size <= maxSize; ++size) {
            leaves.append(merkle::leafHash(QByteArray::number(size - 1)));
            tree.append(leaves.last());
            merkle::ProofBuilder proofs(tree.source());
            const auto rootOf = proofs.root(static_cast<quint64>(size));
            VERIFY_RESULT(rootOf);
            const QByteArray root = *rootOf;
            for (int index = 0; index < size; ++index) {
                const auto u = static_cast<quint64>(index);
                const auto n = static_cast<quint64>(size);
                const auto inclusion = proofs.inclusionProof(u, n);
                VERIFY_RESULT(inclusion);
                const QList<QByteArray> proof = *inclusion;
                QVERIFY2(merkle::verifyInclusion(u, n, leaves.at(index), proof, root),
                         qPrintable(QStringLiteral("%1 of %2").arg(index).arg(size)));
                // Any flipped bit, in the proof, the leaf or the root, fails.
                for (qsizetype p = 0; p < proof.size(); ++p) {
                    QList<QByteArray> bad = proof;
                    bad[p] = flipped(bad[p], (index * 7 + static_cast<int>(p)) % 256);
                    QVERIFY(!merkle::verifyInclusion(u, n, leaves.at(index), bad, root));
                }
                QVERIFY(!merkle::verifyInclusion(u, n, flipped(leaves.at(index), 3), proof, root));
                QVERIFY(!merkle::verifyInclusion(u, n, leaves.at(index), proof, flipped(root, 200)));
                // Wrong index or size, out of range, too long, too short.
                if (size > 1)
                    QVERIFY(!merkle::verifyInclusion((u + 1) % n, n, leaves.at(index), proof, root));
                QVERIFY(!merkle::verifyInclusion(n, n, leaves.at(index), proof, root));
                QList<QByteArray> longer = proof;
                longer.append(leaves.first());
                QVERIFY(!merkle::verifyInclusion(u, n, leaves.at(index), longer, root));
                if (!proof.isEmpty())
                    QVERIFY(!merkle::verifyInclusion(u, n, leaves.at(index), proof.mid(1), root));
            }
        }
        QVERIFY(!merkle::ProofBuilder(tree.source()).inclusionProof(maxSize, maxSize));
    }

    void everyConsistencyProofVerifiesAndNoTamperedOneDoes()
    {
        const int maxSize = 33;
        merkle::MemoryTree tree;
        QList<QByteArray> roots{merkle::emptyRoot()};
        for (int size = 1; size <= maxSize; ++size) {
            tree.append(merkle::leafHash(QByteArray::number(size * 31)));
            roots.append(tree.root());
        }
        merkle::ProofBuilder proofs(tree.source());
        for (int second = 1; second <= maxSize; ++second) {
            for (int first = 1; first <= second; ++first) {
                const auto a = static_cast<quint64>(first);
                const auto b = static_cast<quint64>(second);
                const auto consistency = proofs.consistencyProof(a, b);
                VERIFY_RESULT(consistency);
                const QList<QByteArray> proof = *consistency;
                QVERIFY2(merkle::verifyConsistency(a, b, proof, roots.at(first), roots.at(second)),
                         qPrintable(QStringLiteral("%1 -> %2").arg(first).arg(second)));
                if (first == second)
                    continue;
                for (qsizetype p = 0; p < proof.size(); ++p) {
                    QList<QByteArray> bad = proof;
                    bad[p] = flipped(bad[p], (first + second + static_cast<int>(p)) % 256);
                    QVERIFY(!merkle::verifyConsistency(a, b, bad, roots.at(first), roots.at(second)));
                }
                QVERIFY(!merkle::verifyConsistency(a, b, proof, flipped(roots.at(first), 9), roots.at(second)));
                QVERIFY(!merkle::verifyConsistency(a, b, proof, roots.at(first), flipped(roots.at(second), 9)));
                QVERIFY(!merkle::verifyConsistency(b, a, proof, roots.at(second), roots.at(first))); // swapped
                QList<QByteArray> longer = proof;
                longer.append(roots.first());
                QVERIFY(!merkle::verifyConsistency(a, b, longer, roots.at(first), roots.at(second)));
                QVERIFY(!merkle::verifyConsistency(a, b, {}, roots.at(first), roots.at(second)));
                if (second < maxSize) // the larger tree's real root with this proof
                    QVERIFY(!merkle::verifyConsistency(a, b + 1, proof, roots.at(first), roots.at(second + 1)));
            }
        }
        QVERIFY(merkle::verifyConsistency(0, 5, {}, merkle::emptyRoot(), roots.at(5)));
        QVERIFY(!merkle::verifyConsistency(5, 5, {}, roots.at(5), roots.at(4)));
        QVERIFY(!proofs.consistencyProof(6, 5));
        QList<QByteArray> tooLong(merkle::MAX_PROOF_LENGTH + 1, roots.at(1));
        QVERIFY(!merkle::verifyInclusion(0, 2, roots.at(1), tooLong, roots.at(2)));
    }
};

QTEST_GUILESS_MAIN(TestMerkle)
#include "tst_merkle.moc"
