"""What each application status means and what to do next, in English and French."""
from __future__ import annotations

import datetime as dt
from typing import Dict

# status: (label, meaning and next step)
EN: Dict[str, tuple] = {
    "submitted": ("Submitted", "We have your application. It is waiting for a program officer. You don't need to do anything now."),
    "under_review": ("Under review", "A program officer is reviewing your application and security profile. If anything is missing, they will ask you. Answer requests quickly to avoid delays."),
    "info_requested": ("More information requested", "The CBSA needs more information or evidence before it can continue. Check the request in the Trusted Trader Portal, then upload the documents or answers it lists. Brokers and shipping agents reply by e-mail to pip-pep@cbsa-asfc.gc.ca."),
    "site_validation_scheduled": ("Site validation scheduled", "CBSA officers will visit your site to check that the security in your profile is in place. Have the people and records they will need (access control, seal procedures) ready on the day."),
    "site_validation_completed": ("Site validation completed", "The site visit is done. Your file is in its final review before a decision. Complete any improvements the officers recommended."),
    "approved": ("Approved: member", "Your company is a Partners in Protection member. Keep your profiles current, sign in to the portal at least once a year, and expect a revalidation after four years."),
    "denied": ("Denied", "Your application was not approved. There is no formal appeal. If the denial has not taken effect yet, you can ask for an informal review by e-mail to pip-pep@cbsa-asfc.gc.ca."),
    "withdrawn": ("Withdrawn", "The application was withdrawn. To join later, submit a new application in the Trusted Trader Portal."),
    "revalidation_due": ("Revalidation due", "Your membership is being revalidated: the CBSA reviews your security profile again and does a new site validation. Update your profile in the Trusted Trader Portal and answer requests on time."),
    "suspended": ("Suspended", "Your membership is suspended, so you do not get member benefits for now. Complete the corrective steps the CBSA gave you; for questions, e-mail pip-pep@cbsa-asfc.gc.ca."),
    "cancelled": ("Cancelled", "Your membership was cancelled. You have 30 days from the cancellation to file a formal appeal through the Trusted Trader Portal."),
}
FR: Dict[str, tuple] = {
    "submitted": ("Présentée", "Nous avons reçu votre demande. Elle attend d'être confiée à un agent du programme. Vous n'avez rien à faire pour l'instant."),
    "under_review": ("En examen", "Un agent du programme examine votre demande et votre profil de sécurité. S'il manque quelque chose, il vous le demandera. Répondez rapidement pour éviter les retards."),
    "info_requested": ("Renseignements supplémentaires demandés", "L'ASFC a besoin de plus de renseignements ou de preuves pour continuer. Consultez la demande dans le Portail des négociants dignes de confiance, puis téléversez les documents ou réponses demandés. Les courtiers et les agents maritimes répondent par courriel à pip-pep@cbsa-asfc.gc.ca."),
    "site_validation_scheduled": ("Validation des lieux prévue", "Des agents de l'ASFC visiteront vos installations pour vérifier que les mesures de sécurité de votre profil sont en place. Prévoyez les personnes et les dossiers nécessaires (contrôle d'accès, procédures de scellés) ce jour-là."),
    "site_validation_completed": ("Validation des lieux terminée", "La visite est terminée. Votre dossier est à l'examen final avant la décision. Apportez les améliorations recommandées par les agents."),
    "approved": ("Approuvée : membre", "Votre entreprise est membre de Partenaires en protection. Tenez vos profils à jour, connectez-vous au portail au moins une fois par année et attendez-vous à une revalidation après quatre ans."),
    "denied": ("Refusée", "Votre demande n'a pas été approuvée. Il n'y a pas d'appel officiel. Si le refus n'a pas encore pris effet, vous pouvez demander un examen informel par courriel à pip-pep@cbsa-asfc.gc.ca."),
    "withdrawn": ("Retirée", "La demande a été retirée. Pour adhérer plus tard, présentez une nouvelle demande dans le Portail des négociants dignes de confiance."),
    "revalidation_due": ("Revalidation à faire", "Votre adhésion fait l'objet d'une revalidation : l'ASFC examine de nouveau votre profil de sécurité et fait une nouvelle validation des lieux. Mettez votre profil à jour dans le Portail et répondez aux demandes à temps."),
    "suspended": ("Suspendue", "Votre adhésion est suspendue : vous n'avez pas les avantages des membres pour l'instant. Prenez les mesures correctives demandées par l'ASFC; pour toute question, écrivez à pip-pep@cbsa-asfc.gc.ca."),
    "cancelled": ("Annulée", "Votre adhésion a été annulée. Vous avez 30 jours après l'annulation pour déposer un appel officiel dans le Portail des négociants dignes de confiance."),
}
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre"]


def format_date(iso: str, language: str) -> str:
    day = dt.date.fromisoformat(iso)
    if language == "fr":
        return f"{day.day} {MONTHS_FR[day.month - 1]} {day.year}"
    return day.strftime("%B %-d, %Y")


def label(status: str, language: str) -> str:
    return (FR if language == "fr" else EN)[status][0]


def explain(status: str, language: str) -> str:
    return (FR if language == "fr" else EN)[status][1]
