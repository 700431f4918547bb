#include "common/groupedhex.h"

#include <QByteArray>

namespace countersign::ui {

QString groupedHex(QByteArrayView bytes, int digits)
{
    const QString hex = QString::fromLatin1(bytes.toByteArray().toHex());
    digits = std::max(1, digits);
    QString grouped;
    grouped.reserve(hex.size() + hex.size() / digits);
    for (qsizetype i = 0; i < hex.size(); i += digits) {
        if (i > 0)
            grouped += u' ';
        grouped += QStringView(hex).mid(i, digits);
    }
    return grouped;
}

} // namespace countersign::ui
