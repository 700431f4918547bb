#include "common/confirmation.h"

#include <QMessageBox>
#include <QPushButton>

namespace countersign::ui {

void confirmDestructive(QWidget* parent, const Confirmation& what, std::function<void()> confirmed)
{
    auto* box = new QMessageBox(QMessageBox::Warning, what.title, what.text, QMessageBox::Cancel, parent);
    box->setObjectName(what.objectName);
    box->setTextFormat(Qt::PlainText); // names and notes in the text come from runtimes and members
    QPushButton* yes = box->addButton(what.confirmText, QMessageBox::DestructiveRole);
    yes->setObjectName(what.objectName + QStringLiteral("Button"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setEscapeButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(box, &QMessageBox::buttonClicked, parent,
                     [yes, confirmed = std::move(confirmed)](QAbstractButton* clicked) {
                         if (clicked == yes)
                             confirmed();
                     });
    box->open();
}

} // namespace countersign::ui
