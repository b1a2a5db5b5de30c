-- How each case's category was reached (points per factor, route), for the reviewers' page.
ALTER TABLE cases ADD COLUMN classification TEXT;
